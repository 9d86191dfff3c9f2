"""Mediation services: numbering, the transition table (as literal data) with every move and
every refusal, tier hand-over, conversion of a grid event, recusal, sessions, agreement,
follow-ups and their clock, judicial confirmation, and bad input refused with nothing written."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.exceptions import Conflict, InvalidTransition
from governance.models import AuditEntry, Notification, Role
from grids.models import TimelineEntry as EventTimeline
from mediation import services
from mediation.models import Case, CaseMediator, CaseTimelineEntry, FollowUp, JudicialConfirmation, Party, Session
from tests.mediation.conftest import PARTIES

pytestmark = pytest.mark.django_db

# The whole state machine, as the issue states it (escalation keeps the status: not a move here).
TABLE = {
    "registered": {"accepted", "declined"},
    "accepted": {"mediating"},
    "declined": set(),
    "mediating": {"agreed", "failed"},
    "agreed": {"closed"},
    "failed": {"referred", "closed"},
    "referred": set(),
    "closed": {"reopened"},
    "reopened": {"mediating"},
}

# How to reach each state from a new case (moves by the lead mediator).
PATH = {
    "registered": [],
    "accepted": ["accept"],
    "declined": ["decline"],
    "mediating": ["accept", "start"],
    "agreed": ["accept", "start", "agree"],
    "failed": ["accept", "start", "fail"],
    "referred": ["accept", "start", "fail", "refer"],
    "closed": ["accept", "start", "fail", "close"],
    "reopened": ["accept", "start", "fail", "close", "reopen"],
}

MOVES = {
    "accept": lambda c, u: services.case_accept(case=c, actor=u),
    "decline": lambda c, u: services.case_decline(case=c, actor=u, reason="不属于人民调解范围"),
    "start": lambda c, u: services.case_start(case=c, actor=u),
    "agree": lambda c, u: agree_and_sign(c, u),
    "fail": lambda c, u: services.case_fail(case=c, actor=u, reason="双方分歧过大"),
    "refer": lambda c, u: services.case_refer(case=c, actor=u, to="court"),
    "close": lambda c, u: services.case_close(case=c, actor=u),
    "reopen": lambda c, u: services.case_reopen(case=c, actor=u),
}
TARGET = {
    "accept": "accepted", "decline": "declined", "start": "mediating", "agree": "agreed", "fail": "failed",
    "refer": "referred", "close": "closed", "reopen": "reopened",
}  # fmt: skip


def agree_and_sign(case, user):
    """Record the agreement and every party's signature (an agreed case closes only then)."""
    services.agreement_record(case=case, actor=user, terms="赔偿维修费800元", signed_on=timezone.localdate())
    for party in case.parties.all():
        services.signature_record(case=case, actor=user, party=party, method="in_person")


def walk(case, user, state):
    for move in PATH[state]:
        MOVES[move](case, user)
        case = Case.objects.get(pk=case.pk)
    return case


def test_transition_table_is_exactly_the_issues():
    assert {k: set(v) for k, v in services.CASE_TRANSITIONS.items()} == TABLE


@pytest.mark.parametrize("state", list(TABLE))
@pytest.mark.parametrize("move", list(MOVES))
def test_every_move_from_every_state(register, village_mediator, state, move):
    case = walk(register(), village_mediator, state)
    before = case.timeline.count()
    if TARGET[move] in TABLE[state]:
        MOVES[move](case, village_mediator)
        case.refresh_from_db()
        assert case.status == TARGET[move]
        entry = case.timeline.filter(kind="transition").last()
        assert (entry.from_status, entry.to_status, entry.actor) == (state, TARGET[move], village_mediator)
    else:
        with pytest.raises((InvalidTransition, Conflict)):
            MOVES[move](case, village_mediator)
        case.refresh_from_db()
        assert case.status == state
        assert case.timeline.count() == before


def test_numbers_count_per_centre_and_year(register, area_tree, village_mediator, west_mediator):
    with time_machine.travel("2026-03-01 10:00 +0800", tick=False):
        first, second = register(), register()
        west = register(actor=west_mediator, lead=west_mediator, area=area_tree["west_compound"])
    with time_machine.travel("2027-01-02 10:00 +0800", tick=False):
        next_year = register()
    assert [first.number, second.number, west.number, next_year.number] == [
        "（2026）东升调字第1号",
        "（2026）东升调字第2号",
        "（2026）西苑调字第1号",
        "（2027）东升调字第1号",
    ]
    assert (first.tier, first.handling_area, first.centre) == ("village", area_tree["east"], area_tree["east"])


def test_number_of_a_failed_registration_is_reused(register):
    first = register()
    with pytest.raises(ValidationError):
        register(parties=[{"role": "judge", "name": "某人"}])
    assert register().sequence == first.sequence + 1


def test_accept_sets_the_deadline_from_the_setting(register, village_mediator, settings):
    settings.MEDIATION_DEADLINE_DAYS = 15
    with time_machine.travel("2026-05-10 09:00 +0800", tick=False):
        case = services.case_accept(case=register(), actor=village_mediator)
    assert case.deadline == date(2026, 5, 25)


def test_decline_needs_a_reason(register, village_mediator):
    case = register()
    with pytest.raises(ValidationError):
        services.case_decline(case=case, actor=village_mediator, reason=" ")
    case.refresh_from_db()
    assert case.status == "registered"


def test_register_writes_parties_timeline_audit_and_tells_the_supervisor(register, street_supervisor):
    case = register()
    assert list(case.parties.values_list("role", "name")) == [("applicant", "王小明"), ("respondent", "李大壮")]
    assert list(case.timeline.values_list("kind", "to_status")) == [("transition", "registered"), ("assignment", "")]
    assert CaseMediator.objects.get(case=case).is_lead is True
    assert AuditEntry.objects.filter(object_type="mediation.case", object_id=str(case.pk), action="create").count() == 1
    note = Notification.objects.get(recipient=street_supervisor)
    assert note.title == f"【调解】新案件 {case.number} 待指派"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parties": [{"role": "witness", "name": "张三"}]}, "parties"),
        ({"parties": [{"role": "applicant", "name": "张三", "phone": "12345"}]}, "parties"),
        ({"parties": [{"role": "respondent", "name": "张三"}]}, "parties"),
        ({"type": "murder"}, "type"),
        ({"risk_level": "high", "risk_reason": ""}, "risk_reason"),
        ({"description": ""}, "description"),
        ({"amount": "-5"}, "amount"),
    ],
)
def test_bad_registration_is_refused_and_writes_nothing(register, change, field):
    with pytest.raises(ValidationError) as exc:
        register(**change)
    assert field in exc.value.message_dict
    assert (Case.objects.count(), Party.objects.count(), CaseTimelineEntry.objects.count()) == (0, 0, 0)


def test_unknown_party_role_message_is_clear(register):
    with pytest.raises(ValidationError) as exc:
        register(parties=[{"role": "witness", "name": "张三"}])
    assert exc.value.message_dict["parties"][0] == "第 1 位当事人的身份“witness”无效（应为申请人、被申请人或第三人）。"


# --- Assignment and recusal ----------------------------------------------------------------


def test_assign_co_mediator_and_lead(register, co_mediator, street_supervisor, village_mediator):
    case = register()
    services.case_assign(case=case, mediator=co_mediator, actor=street_supervisor)
    assert dict(case.assignments.values_list("mediator__username", "is_lead")) == {
        "village_mediator": True,
        "co_mediator": False,
    }
    services.case_assign(case=case, mediator=co_mediator, actor=street_supervisor, lead=True)
    assert dict(case.assignments.values_list("mediator__username", "is_lead")) == {
        "village_mediator": False,
        "co_mediator": True,
    }


def test_a_mediator_of_another_community_is_not_qualified(register, west_mediator, street_supervisor):
    with pytest.raises(ValidationError):
        services.case_assign(case=register(), mediator=west_mediator, actor=street_supervisor)


def test_recusal_when_the_mediator_is_a_party(register, co_mediator, street_supervisor):
    case = register(parties=[*PARTIES_WITH(co_mediator)])
    with pytest.raises(services.ConflictOfInterest) as exc:
        services.case_assign(case=case, mediator=co_mediator, actor=street_supervisor)
    assert exc.value.code == "conflict_of_interest"
    assert exc.value.status_code == 409
    assert exc.value.detail == "调解员本人是本案当事人（第三人）。"
    assert not case.assignments.filter(mediator=co_mediator).exists()


def PARTIES_WITH(user):
    return [
        {"role": "applicant", "name": "王小明", "phone": "13812345678"},
        {"role": "respondent", "name": "李大壮"},
        {"role": "third_party", "name": user.full_name, "user": user},
    ]


def test_recusal_when_related_to_a_party(register, co_mediator, street_supervisor, village_mediator):
    case = register()
    services.relation_declare(
        case=case,
        actor=village_mediator,
        party=case.parties.get(role="respondent"),
        relation="表兄弟",
        other_user=co_mediator,
    )
    with pytest.raises(services.ConflictOfInterest) as exc:
        services.case_assign(case=case, mediator=co_mediator, actor=street_supervisor)
    assert exc.value.detail == "调解员与当事人 李*壮 存在已申报的关系：表兄弟。"


def test_recusal_when_living_in_the_same_building(register, co_mediator, street_supervisor, area_tree):
    from governance.services import post_assign

    post_assign(user=co_mediator, role=Role.RESIDENT, area=area_tree["east_building"])
    case = register(
        parties=[{"role": "applicant", "name": "王小明", "building": area_tree["east_building"]}, PARTIES[1]]
    )
    with pytest.raises(services.ConflictOfInterest) as exc:
        services.case_assign(case=case, mediator=co_mediator, actor=street_supervisor)
    assert exc.value.detail == "调解员与当事人 王*明 住在同一楼栋。"


# --- Escalation ----------------------------------------------------------------------------


def test_escalate_hands_the_case_up_with_the_handover_and_tells_the_centre(
    register, village_mediator, street_supervisor, area_tree
):
    case = services.case_accept(case=register(), actor=village_mediator)
    Notification.objects.all().delete()
    case = services.case_escalate(
        case=case,
        actor=village_mediator,
        tried="两次上门调解",
        assessment="涉及宅基地确权，需街道协调",
        shareable_notes="双方同意继续调解",
    )
    case.refresh_from_db()
    assert (case.status, case.tier, case.handling_area) == ("accepted", "township", area_tree["street"])
    entry = case.timeline.get(kind="escalation")
    assert entry.handover == {
        "from_tier": "village",
        "to_tier": "township",
        "from_centre": "东升社区",
        "to_centre": "中关村街道",
        "tried": "两次上门调解",
        "sessions_held": 0,
        "assessment": "涉及宅基地确权，需街道协调",
        "shareable_notes": "双方同意继续调解",
        "kept_mediators": [],
        "handed_over_mediators": ["郑调解"],
    }
    assert not case.assignments.filter(is_lead=True).exists()
    assert (
        Notification.objects.get(recipient=street_supervisor).title
        == f"【调解】案件 {case.number} 已移交本中心，请指派调解员"
    )
    case = services.case_escalate(case=case, actor=street_supervisor, tried="街道调解", assessment="重大")
    assert (case.tier, case.handling_area) == ("county", area_tree["district"])
    with pytest.raises(Conflict) as exc:
        services.case_escalate(case=case, actor=street_supervisor, tried="x", assessment="y")
    assert exc.value.code == "top_tier"


def test_escalate_needs_the_handover(register, village_mediator):
    case = register()
    with pytest.raises(ValidationError):
        services.case_escalate(case=case, actor=village_mediator, tried="", assessment="")
    case.refresh_from_db()
    assert case.tier == "village"


def test_a_closed_case_cannot_be_escalated(register, village_mediator):
    case = walk(register(), village_mediator, "closed")
    with pytest.raises(InvalidTransition):
        services.case_escalate(case=case, actor=village_mediator, tried="x", assessment="y")


# --- From a grid event ---------------------------------------------------------------------


def test_event_becomes_a_case_keeping_the_link(boundary_event, village_mediator):
    assert boundary_event.responded_at is None
    case = services.case_from_event(event=boundary_event, actor=village_mediator, type="homestead")
    boundary_event.refresh_from_db()
    assert (case.source, case.event, case.description) == ("grid_event", boundary_event, "两户人家因宅基地边界争吵")
    assert boundary_event.responded_at is not None
    note = boundary_event.timeline.filter(kind=EventTimeline.Kind.NOTE).get()
    assert note.note == f"已转为矛盾纠纷调解案件 {case.number}，由调解组织依法办理。"
    assert case.assignments.get().mediator == village_mediator
    with pytest.raises(Conflict) as exc:
        services.case_from_event(event=boundary_event, actor=village_mediator, type="homestead")
    assert exc.value.code == "already_converted"


def test_staff_converting_an_event_leaves_the_case_unassigned(boundary_event, east_staff):
    case = services.case_from_event(event=boundary_event, actor=east_staff, type="homestead")
    assert not case.assignments.exists()


# --- Sessions ------------------------------------------------------------------------------


def test_holding_the_first_session_starts_mediation_and_keeps_channel_notes(register, village_mediator):
    case = services.case_accept(case=register(), actor=village_mediator)
    session = services.session_schedule(
        case=case, actor=village_mediator, scheduled_at=timezone.now() + timedelta(days=1), place="社区调解室"
    )
    services.session_hold(
        session=session,
        actor=village_mediator,
        outcome="初步达成赔偿意向",
        notes=[
            {"channel": "joint", "text": "双方陈述事实"},
            {"channel": "applicant", "text": "申请人底线800元"},
            {"channel": "respondent", "text": "被申请人愿意承担部分"},
        ],
    )
    session.refresh_from_db()
    case.refresh_from_db()
    assert (session.status, case.status) == ("held", "mediating")
    assert list(session.notes.values_list("channel", flat=True)) == ["joint", "applicant", "respondent"]
    with pytest.raises(InvalidTransition):
        services.session_hold(session=session, actor=village_mediator, outcome="again")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"mode": "video", "video_link": ""}, "video_link"), ({"mode": "in_person", "place": ""}, "place")],
)
def test_session_needs_place_or_link(register, village_mediator, kwargs, field):
    case = services.case_accept(case=register(), actor=village_mediator)
    with pytest.raises(ValidationError) as exc:
        services.session_schedule(case=case, actor=village_mediator, scheduled_at=timezone.now(), **kwargs)
    assert field in exc.value.message_dict
    assert Session.objects.count() == 0


def test_no_session_on_a_registered_case(register, village_mediator):
    with pytest.raises(Conflict):
        services.session_schedule(case=register(), actor=village_mediator, scheduled_at=timezone.now(), place="x")


# --- Agreement, follow-ups -----------------------------------------------------------------


def mediating(register, user):
    return walk(register(), user, "mediating")


def test_agreement_makes_the_case_agreed_and_schedules_follow_ups(register, village_mediator):
    case = mediating(register, village_mediator)
    services.agreement_record(case=case, actor=village_mediator, terms="赔偿800元", signed_on=date(2026, 3, 1))
    case.refresh_from_db()
    assert case.status == "agreed"
    assert list(case.follow_ups.values_list("kind", "due_on", "remind_on", "status")) == [
        ("week", date(2026, 3, 8), date(2026, 3, 7), "pending"),
        ("month", date(2026, 3, 31), date(2026, 3, 30), "pending"),
    ]


def test_agreement_signed_in_the_future_is_refused(register, village_mediator):
    case = mediating(register, village_mediator)
    with pytest.raises(ValidationError) as exc:
        services.agreement_record(
            case=case, actor=village_mediator, terms="x", signed_on=timezone.localdate() + timedelta(days=1)
        )
    assert exc.value.message_dict == {"signed_on": ["签订日期不能晚于今天。"]}
    case.refresh_from_db()
    assert (case.status, FollowUp.objects.count()) == ("mediating", 0)


def test_follow_up_performed_leaves_the_case(register, village_mediator):
    case = mediating(register, village_mediator)
    services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=timezone.localdate())
    week = case.follow_ups.get(kind="week")
    services.follow_up_record(follow_up=week, actor=village_mediator, outcome="performed", note="已付款")
    week.refresh_from_db()
    case.refresh_from_db()
    assert (week.status, week.outcome, case.status) == ("done", "performed", "agreed")
    assert case.timeline.filter(kind="follow_up").get().note == "一周回访：已履行。已付款"


def test_follow_up_finding_the_dispute_back_reopens_the_case(register, village_mediator):
    case = mediating(register, village_mediator)
    services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=timezone.localdate())
    services.follow_up_record(follow_up=case.follow_ups.get(kind="week"), actor=village_mediator, outcome="recurred")
    case.refresh_from_db()
    assert case.status == "reopened"
    moves = list(case.timeline.filter(kind="transition").values_list("from_status", "to_status"))
    assert moves[-2:] == [("agreed", "closed"), ("closed", "reopened")]
    # The visit not yet made is cancelled through the kit (its own status and timeline entry),
    # no longer marked "done" with no outcome by a bulk update.
    month = case.follow_ups.get(kind="month")
    assert (month.status, month.outcome, month.version) == ("cancelled", "", 1)
    assert case.timeline.filter(kind="follow_up", note__contains="一月回访").count() == 1


def test_follow_up_outcome_must_be_known(register, village_mediator):
    case = mediating(register, village_mediator)
    services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.follow_up_record(follow_up=case.follow_ups.first(), actor=village_mediator, outcome="maybe")


def test_follow_up_clock_reminds_once_and_reports_overdue_once(register, village_mediator, street_supervisor):
    with time_machine.travel("2026-03-01 10:00 +0800", tick=False):
        case = mediating(register, village_mediator)
        services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=date(2026, 3, 1))
    Notification.objects.all().delete()
    with time_machine.travel("2026-03-06 10:00 +0800", tick=False):
        assert services.follow_up_clock() == {"confirmations": 0, "sessions": 0, "reminded": 0, "overdue": 0}
    with time_machine.travel("2026-03-07 10:00 +0800", tick=False):
        assert services.follow_up_clock() == {"confirmations": 0, "sessions": 0, "reminded": 1, "overdue": 0}
        assert services.follow_up_clock() == {"confirmations": 0, "sessions": 0, "reminded": 0, "overdue": 0}
    assert list(Notification.objects.values_list("recipient__username", "title")) == [
        ("village_mediator", f"【回访提醒】案件 {case.number} 的一周回访应于 2026-03-08 完成")
    ]
    with time_machine.travel("2026-03-08 23:00 +0800", tick=False):
        assert services.follow_up_clock() == {"confirmations": 0, "sessions": 0, "reminded": 0, "overdue": 0}
    with time_machine.travel("2026-03-09 08:00 +0800", tick=False):
        assert services.follow_up_clock() == {"confirmations": 0, "sessions": 0, "reminded": 0, "overdue": 1}
        assert services.follow_up_clock() == {"confirmations": 0, "sessions": 0, "reminded": 0, "overdue": 0}
    overdue = Notification.objects.filter(recipient=street_supervisor)
    assert list(overdue.values_list("title", flat=True)) == [f"【回访逾期】案件 {case.number} 的一周回访已逾期"]
    assert case.timeline.filter(kind="reminder").count() == 2


def test_a_recorded_follow_up_is_neither_reminded_nor_overdue(register, village_mediator):
    with time_machine.travel("2026-03-01 10:00 +0800", tick=False):
        case = mediating(register, village_mediator)
        services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=date(2026, 3, 1))
        for follow_up in case.follow_ups.all():
            services.follow_up_record(follow_up=follow_up, actor=village_mediator, outcome="performed")
    with time_machine.travel("2026-05-01 10:00 +0800", tick=False):
        assert services.follow_up_clock() == {"confirmations": 0, "sessions": 0, "reminded": 0, "overdue": 0}


# --- Judicial confirmation ------------------------------------------------------------------


def agreed(register, user, signed_on):
    """An agreement every party signed on its own date: it takes effect that day."""
    case = mediating(register, user)
    services.agreement_record(case=case, actor=user, terms="x", signed_on=signed_on)
    for party in case.parties.all():
        services.signature_record(case=case, actor=user, party=party, signed_on=signed_on, method="after_the_fact")
    return case


def test_confirmation_applied_then_confirmed(register, village_mediator):
    with time_machine.travel("2026-03-20 10:00 +0800", tick=False):
        case = agreed(register, village_mediator, date(2026, 3, 1))
        services.confirmation_apply(
            case=case, actor=village_mediator, applied_on=date(2026, 3, 20), court="海淀区人民法院"
        )
        with pytest.raises(Conflict):
            services.confirmation_apply(case=case, actor=village_mediator, applied_on=date(2026, 3, 20), court="x")
        services.confirmation_decide(
            case=case, actor=village_mediator, result="confirmed", ruling_number="（2026）京0108民特12号"
        )
    confirmation = JudicialConfirmation.objects.get()
    assert (confirmation.status, confirmation.ruling_number) == ("confirmed", "（2026）京0108民特12号")
    with pytest.raises(InvalidTransition):
        services.confirmation_decide(case=case, actor=village_mediator, result="rejected", reason="x")


def test_confirmation_rejected_needs_a_reason(register, village_mediator):
    with time_machine.travel("2026-03-05 10:00 +0800", tick=False):
        case = agreed(register, village_mediator, date(2026, 3, 1))
        services.confirmation_apply(case=case, actor=village_mediator, applied_on=date(2026, 3, 5), court="法院")
        with pytest.raises(ValidationError):
            services.confirmation_decide(case=case, actor=village_mediator, result="rejected")
        services.confirmation_decide(case=case, actor=village_mediator, result="rejected", reason="协议内容违反法律")
    assert JudicialConfirmation.objects.get().status == "rejected"


def test_confirmation_past_the_window_is_refused(register, village_mediator):
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        case = agreed(register, village_mediator, date(2026, 3, 1))
        with pytest.raises(ValidationError) as exc:
            services.confirmation_apply(case=case, actor=village_mediator, applied_on=date(2026, 4, 1), court="法院")
        services.confirmation_apply(case=case, actor=village_mediator, applied_on=date(2026, 3, 31), court="法院")
    assert exc.value.message_dict == {
        "applied_on": ["司法确认应在协议生效之日起30日内申请（截止 2026-03-31），已超过期限。"]
    }


def test_confirmation_warning_from_day_twenty(register, village_mediator):
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        case = agreed(register, village_mediator, date(2026, 3, 1))
    agreement = case.agreement
    assert services.confirmation_warning(agreement=agreement, today=date(2026, 3, 20)) == ""
    assert (
        services.confirmation_warning(agreement=agreement, today=date(2026, 3, 21))
        == "距申请司法确认截止还有 10 天（2026-03-31）。"
    )


def test_no_confirmation_without_agreement(register, village_mediator):
    with pytest.raises(Conflict):
        services.confirmation_apply(case=register(), actor=village_mediator, applied_on=timezone.localdate(), court="x")


def test_timeline_is_append_only(register):
    entry = register().timeline.first()
    entry.note = "改写"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_session_reminder_goes_once_24_hours_ahead_to_mediators_and_parties_by_sms(register, village_mediator):
    with time_machine.travel("2026-03-01 09:00 +0800", tick=False):
        case = services.case_accept(case=register(), actor=village_mediator)
        session = services.session_schedule(
            case=case,
            actor=village_mediator,
            scheduled_at=timezone.now() + timedelta(days=2),
            place="东升社区调解室",
        )
    Notification.objects.all().delete()
    with time_machine.travel("2026-03-02 08:59 +0800", tick=False):
        assert services.follow_up_clock()["sessions"] == 0
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        assert services.follow_up_clock()["sessions"] == 1
        assert services.follow_up_clock()["sessions"] == 0
    inbox = Notification.objects.filter(recipient__isnull=False)
    assert list(inbox.values_list("recipient__username", "title")) == [
        ("village_mediator", f"【调解会提醒】案件 {case.number} 的调解会将于 2026-03-03 09:00 召开")
    ]
    sms = Notification.objects.filter(recipient__isnull=True).order_by("to_phone")
    assert list(sms.values_list("to_phone", "title", "by_sms")) == [
        ("13812345678", "【调解会提醒】您参加的调解会将于 2026-03-03 09:00 召开，地点：东升社区调解室。", True),
        ("13987654321", "【调解会提醒】您参加的调解会将于 2026-03-03 09:00 召开，地点：东升社区调解室。", True),
    ]
    session.refresh_from_db()
    assert session.reminded_at is not None


def test_a_held_session_is_not_reminded(register, village_mediator):
    with time_machine.travel("2026-03-01 09:00 +0800", tick=False):
        case = services.case_accept(case=register(), actor=village_mediator)
        session = services.session_schedule(
            case=case, actor=village_mediator, scheduled_at=timezone.now() + timedelta(days=2), place="调解室"
        )
        services.session_hold(session=session, actor=village_mediator, outcome="提前召开")
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        assert services.follow_up_clock()["sessions"] == 0


def test_needs_counselling_refers_the_parties_to_a_psychologist(register, village_mediator, make_user, area_tree):
    from mediation.models import MediatorProfile

    psychologist = make_user(Role.MEDIATOR, area_tree["street"], username="psy", full_name="何心理")
    MediatorProfile.objects.create(user=psychologist, kind="psychologist", tier="township")
    lawyer = make_user(Role.MEDIATOR, area_tree["street"], username="lawyer", full_name="林律师")
    MediatorProfile.objects.create(user=lawyer, kind="lawyer", tier="township")
    case = mediating(register, village_mediator)
    services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=timezone.localdate())
    services.follow_up_record(
        follow_up=case.follow_ups.get(kind="week"), actor=village_mediator, outcome="performed", needs_counselling=True
    )
    assert dict(case.assignments.values_list("mediator__username", "is_lead")) == {
        "village_mediator": True,
        "psy": False,
    }
    assert case.timeline.filter(note="转介心理咨询师：何心理").exists()


def test_needs_counselling_without_a_psychologist_asks_the_centre(register, village_mediator, street_supervisor):
    case = mediating(register, village_mediator)
    services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=timezone.localdate())
    Notification.objects.all().delete()
    services.follow_up_record(
        follow_up=case.follow_ups.get(kind="week"), actor=village_mediator, outcome="partly", needs_counselling=True
    )
    assert case.assignments.count() == 1
    assert list(Notification.objects.values_list("recipient__username", "title")) == [
        ("supervisor", f"【调解】案件 {case.number} 的当事人需要心理疏导，请安排心理咨询师")
    ]


def test_assignment_suggests_the_case_tier_first_then_the_least_loaded(
    register, village_mediator, co_mediator, township_mediator
):
    from mediation.models import MediatorProfile
    from mediation.selectors import mediators_for

    MediatorProfile.objects.create(user=village_mediator, tier="village")
    MediatorProfile.objects.create(user=co_mediator, tier="village")
    MediatorProfile.objects.create(user=township_mediator, tier="township")
    case = register()  # led by village_mediator: one open case
    register()
    assert [u.username for u in mediators_for(case=case)] == ["co_mediator", "village_mediator", "township_mediator"]
    MediatorProfile.objects.filter(user=co_mediator).update(is_active=False)
    assert [u.username for u in mediators_for(case=case)] == ["village_mediator", "township_mediator"]


def test_judicial_confirmation_warning_goes_once_at_day_twenty_unless_applied(register, village_mediator):
    with time_machine.travel("2026-03-01 10:00 +0800", tick=False):
        warned = agreed(register, village_mediator, date(2026, 3, 1))
        applied = agreed(register, village_mediator, date(2026, 3, 1))
        services.confirmation_apply(case=applied, actor=village_mediator, applied_on=date(2026, 3, 1), court="法院")
    Notification.objects.all().delete()
    with time_machine.travel("2026-03-20 10:00 +0800", tick=False):
        assert services.follow_up_clock()["confirmations"] == 0
    with time_machine.travel("2026-03-21 10:00 +0800", tick=False):
        assert services.follow_up_clock()["confirmations"] == 1
        assert services.follow_up_clock()["confirmations"] == 0
    titles = list(Notification.objects.filter(title__startswith="【司法确认】").values_list("title", flat=True))
    assert titles == [f"【司法确认】案件 {warned.number} 的协议如需司法确认，请于 2026-03-31 前申请"]
