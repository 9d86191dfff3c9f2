"""Agreements per round of mediation, the day an agreement takes effect, and withdrawing a wrongly
recorded signature.

- A case reopened after a follow-up found the dispute back records a second agreement; the first
  stays, with its signatures and visits, as an earlier round (page, API, PDF by id).
- The follow-ups (+7, +30) and the judicial-confirmation window (30 days, warned at day 20) count
  from the date of the last party signature, not from the agreement's own date.
- A signature is withdrawn by the case's mediators only (a reason required), recorded on the
  timeline, the effective day re-evaluated; never once confirmation is applied for or the case is
  closed.

Every expected value is a literal written here (dates as on a calendar)."""

import io
from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from governance.exceptions import Conflict
from governance.models import AuditEntry, Notification
from mediation import services
from mediation.documents import agreement_pdf
from mediation.models import Agreement, AgreementSignature, CaseTimelineEntry, FollowUp, JudicialConfirmation
from tests.mediation.conftest import PARTIES

pytestmark = pytest.mark.django_db

TODAY = "2026-11-25 10:00 +0800"


@pytest.fixture
def travel():
    with time_machine.travel(TODAY, tick=False):
        yield


def _party(case, role):
    return case.parties.get(role=role)


def _visits(agreement_or_case):
    return list(
        FollowUp.objects.filter(**{agreement_or_case._meta.model_name: agreement_or_case})
        .order_by("due_on", "id")
        .values_list("kind", "due_on", "remind_on", "status")
    )


@pytest.fixture
def agreed(travel, register, village_mediator, east_resident):
    """Agreed on 2026-11-20 (the paper's date), nobody has signed yet; today is 2026-11-25. The
    respondent has an account (``east_resident``): a party of the case."""
    parties = [PARTIES[0], {**PARTIES[1], "user": east_resident}]
    case = register(parties=parties)
    services.case_accept(case=case, actor=village_mediator)
    services.case_start(case=case, actor=village_mediator)
    services.agreement_record(case=case, actor=village_mediator, terms="赔偿800元", signed_on=date(2026, 11, 20))
    case.refresh_from_db()
    return case


def _sign(case, user, role, signed_on):
    case.refresh_from_db()
    return services.signature_record(
        case=case, actor=user, party=_party(case, role), signed_on=signed_on, method="after_the_fact"
    )


# --- The follow-up table ----------------------------------------------------------------------


def test_the_follow_up_table_has_a_cancelled_end():
    assert services.FOLLOW_UP_FLOW.table() == {
        "pending": frozenset({"done", "cancelled"}),
        "done": frozenset(),
        "cancelled": frozenset(),
    }


# --- The day the agreement takes effect -----------------------------------------------------


def test_follow_ups_count_from_the_last_signature_not_from_the_agreements_date(agreed, village_mediator):
    agreement = agreed.agreement
    # Provisionally from the paper's date, until it takes effect.
    assert _visits(agreed) == [
        ("week", date(2026, 11, 27), date(2026, 11, 26), "pending"),
        ("month", date(2026, 12, 20), date(2026, 12, 19), "pending"),
    ]
    _sign(agreed, village_mediator, "applicant", date(2026, 11, 21))
    agreement.refresh_from_db()
    assert agreement.effective_on is None  # the respondent has not signed: not in force
    assert _visits(agreed)[0][1] == date(2026, 11, 27)
    _sign(agreed, village_mediator, "respondent", date(2026, 11, 24))
    agreement.refresh_from_db()
    assert agreement.effective_on == date(2026, 11, 24)
    assert _visits(agreed) == [
        ("week", date(2026, 12, 1), date(2026, 11, 30), "pending"),
        ("month", date(2026, 12, 24), date(2026, 12, 23), "pending"),
    ]
    assert agreed.timeline.filter(kind="agreement").last().note == (
        "协议自 2026-11-24 起生效（最后一位当事人签字之日）；申请司法确认的截止日期为 2026-12-24。"
        "回访改期：一周回访改为 2026-12-01、一月回访改为 2026-12-24。"
    )
    assert FollowUp.objects.get(kind="week").version == 1  # moved by the kit's clock write


def test_a_visit_already_reminded_is_moved_and_reminded_again_for_its_new_date(
    register, village_mediator, street_supervisor
):
    with time_machine.travel("2026-11-01 10:00 +0800", tick=False):
        case = register()
        services.case_accept(case=case, actor=village_mediator)
        services.case_start(case=case, actor=village_mediator)
        services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=date(2026, 11, 1))
        case.refresh_from_db()
        services.signature_record(
            case=case, actor=village_mediator, party=_party(case, "applicant"), method="in_person"
        )
    Notification.objects.all().delete()
    with time_machine.travel("2026-11-07 10:00 +0800", tick=False):
        assert services.follow_up_clock()["reminded"] == 1  # due 2026-11-08
        # The respondent's paper is found: signed on 2026-11-05. It took effect then.
        _sign(case, village_mediator, "respondent", date(2026, 11, 5))
        week = FollowUp.objects.get(kind="week")
        assert (week.due_on, week.remind_on, week.reminded_at) == (date(2026, 11, 12), date(2026, 11, 11), None)
        assert services.follow_up_clock()["reminded"] == 0
    with time_machine.travel("2026-11-11 10:00 +0800", tick=False):
        assert services.follow_up_clock()["reminded"] == 1
        assert services.follow_up_clock()["reminded"] == 0
    with time_machine.travel("2026-11-12 23:00 +0800", tick=False):
        assert services.follow_up_clock()["overdue"] == 0
    with time_machine.travel("2026-11-13 08:00 +0800", tick=False):
        assert services.follow_up_clock()["overdue"] == 1
        assert services.follow_up_clock()["overdue"] == 0
    assert list(Notification.objects.order_by("id").values_list("recipient__username", "title")) == [
        ("village_mediator", f"【回访提醒】案件 {case.number} 的一周回访应于 2026-11-08 完成"),
        ("village_mediator", f"【回访提醒】案件 {case.number} 的一周回访应于 2026-11-12 完成"),
        ("supervisor", f"【回访逾期】案件 {case.number} 的一周回访已逾期"),
    ]


def test_the_confirmation_window_counts_from_the_day_it_took_effect(agreed, village_mediator):
    _sign(agreed, village_mediator, "applicant", date(2026, 11, 20))
    _sign(agreed, village_mediator, "respondent", date(2026, 11, 25))
    agreement = Agreement.objects.get()
    assert agreement.effective_on == date(2026, 11, 25)
    with pytest.raises(ValidationError) as early:
        services.confirmation_apply(case=agreed, actor=village_mediator, applied_on=date(2026, 11, 24), court="法院")
    assert early.value.message_dict == {"applied_on": ["申请日期不能早于协议生效日期（2026-11-25）。"]}
    assert services.confirmation_warning(agreement=agreement, today=date(2026, 12, 14)) == ""
    assert (
        services.confirmation_warning(agreement=agreement, today=date(2026, 12, 15))
        == "距申请司法确认截止还有 10 天（2026-12-25）。"
    )
    with time_machine.travel("2026-12-26 10:00 +0800", tick=False):
        with pytest.raises(ValidationError) as late:
            services.confirmation_apply(
                case=agreed, actor=village_mediator, applied_on=date(2026, 12, 26), court="法院"
            )
        assert late.value.message_dict == {
            "applied_on": ["司法确认应在协议生效之日起30日内申请（截止 2026-12-25），已超过期限。"]
        }
        assert JudicialConfirmation.objects.count() == 0
        # From the agreement's own date the window would have closed on 2026-12-20.
        services.confirmation_apply(case=agreed, actor=village_mediator, applied_on=date(2026, 12, 25), court="法院")
    assert JudicialConfirmation.objects.get().applied_on == date(2026, 12, 25)


def test_no_confirmation_before_the_agreement_is_in_force(agreed, village_mediator, api_as):
    _sign(agreed, village_mediator, "applicant", date(2026, 11, 20))
    before = agreed.timeline.count()
    with pytest.raises(Conflict) as caught:
        services.confirmation_apply(case=agreed, actor=village_mediator, applied_on=date(2026, 11, 25), court="法院")
    assert (caught.value.code, caught.value.status_code, str(caught.value.detail)) == (
        "agreement_not_in_force",
        409,
        "调解协议尚未生效（还有当事人未签字），不能申请司法确认。",
    )
    answer = api_as(village_mediator).post(
        f"/api/v1/mediation/cases/{agreed.pk}/judicial-confirmation/",
        {"applied_on": "2026-11-25", "court": "法院"},
        format="json",
    )
    assert (answer.status_code, answer.json()["code"]) == (409, "agreement_not_in_force")
    assert (JudicialConfirmation.objects.count(), agreed.timeline.count()) == (0, before)


def test_the_day_twenty_warning_counts_from_the_day_it_took_effect(agreed, village_mediator):
    _sign(agreed, village_mediator, "applicant", date(2026, 11, 20))
    _sign(agreed, village_mediator, "respondent", date(2026, 11, 25))
    Notification.objects.all().delete()
    with time_machine.travel("2026-12-10 10:00 +0800", tick=False):  # day 20 from the paper's date
        assert services.follow_up_clock()["confirmations"] == 0
    with time_machine.travel("2026-12-15 10:00 +0800", tick=False):
        assert services.follow_up_clock()["confirmations"] == 1
        assert services.follow_up_clock()["confirmations"] == 0
    assert list(Notification.objects.filter(title__startswith="【司法确认】").values_list("title", flat=True)) == [
        f"【司法确认】案件 {agreed.number} 的协议如需司法确认，请于 2026-12-25 前申请"
    ]


# --- Withdrawing a signature ------------------------------------------------------------------


@pytest.fixture
def signed(agreed, village_mediator):
    """Both parties signed: the applicant on 2026-11-20, the respondent (wrongly) today."""
    _sign(agreed, village_mediator, "applicant", date(2026, 11, 20))
    agreed.refresh_from_db()
    services.signature_record(
        case=agreed, actor=village_mediator, party=_party(agreed, "respondent"), method="in_person"
    )
    agreed.refresh_from_db()
    return agreed


def test_withdrawing_a_signature_takes_the_effective_day_away_until_it_is_signed_again(signed, village_mediator):
    respondent_sig = AgreementSignature.objects.get(party__role="respondent")
    assert Agreement.objects.get().effective_on == date(2026, 11, 25)
    services.signature_withdraw(
        case=signed, actor=village_mediator, signature=respondent_sig, reason="登记错了日期，实为11月22日补签"
    )
    agreement = Agreement.objects.get()
    assert agreement.effective_on is None
    notes = list(signed.timeline.filter(kind="agreement").values_list("note", flat=True))
    assert notes[-2:] == [
        "撤回 被申请人 李*壮 的签字（2026-11-25）：登记错了日期，实为11月22日补签",
        "有当事人签字被撤回，协议尚未生效；回访日期暂不变动。",
    ]
    respondent_sig.refresh_from_db()
    assert (respondent_sig.withdrawn_by, respondent_sig.withdraw_reason) == (
        village_mediator,
        "登记错了日期，实为11月22日补签",
    )
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, changes__withdrawn=True).count() == 1
    assert _visits(signed)[0][1] == date(2026, 12, 2)  # left where they were
    with pytest.raises(Conflict) as closing:
        services.case_close(case=signed, actor=village_mediator)
    assert closing.value.code == "unsigned_parties"
    _sign(signed, village_mediator, "respondent", date(2026, 11, 22))
    assert Agreement.objects.get().effective_on == date(2026, 11, 22)
    assert _visits(signed) == [
        ("week", date(2026, 11, 29), date(2026, 11, 28), "pending"),
        ("month", date(2026, 12, 22), date(2026, 12, 21), "pending"),
    ]
    # The withdrawn row stays as history; the PDF prints the live signature.
    respondent_rows = AgreementSignature.objects.filter(party__role="respondent").order_by("id")
    assert [(sig.signed_on, sig.withdrawn_at is None) for sig in respondent_rows] == [
        (date(2026, 11, 25), False),
        (date(2026, 11, 22), True),
    ]
    assert AgreementSignature.objects.count() == 3
    reader = PdfReader(io.BytesIO(agreement_pdf(case=signed, agreement=Agreement.objects.get())), strict=True)
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert "被申请人（签名盖章或按指印）：李大壮已签字2026年11月22日" in text


def test_withdrawal_needs_a_reason_and_writes_nothing_without_one(signed, village_mediator, api_as):
    signature = AgreementSignature.objects.get(party__role="respondent")
    before = (signed.timeline.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as caught:
        services.signature_withdraw(case=signed, actor=village_mediator, signature=signature, reason="  ")
    assert caught.value.message_dict == {"reason": ["请说明撤回签字的原因（如：登记错了当事人或日期）。"]}
    url = f"/api/v1/mediation/cases/{signed.pk}/agreement/signatures/{signature.pk}/withdraw/"
    assert api_as(village_mediator).post(url, {"reason": ""}, format="json").status_code == 400
    assert api_as(village_mediator).post(url, {}, format="json").status_code == 400
    signature.refresh_from_db()
    assert signature.withdrawn_at is None
    assert (signed.timeline.count(), AuditEntry.objects.count()) == before
    assert Agreement.objects.get().effective_on == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("setup", "code", "detail"),
    [
        ("applied", "confirmation_applied", "已申请司法确认，协议签字不能再撤回。"),
        ("closed", "case_closed", "案件已结案，不能再撤回协议签字。"),
        ("withdrawn", "already_withdrawn", "该签字已被撤回。"),
    ],
)
def test_withdrawal_is_refused_with_a_machine_code(signed, village_mediator, api_as, setup, code, detail):
    signature = AgreementSignature.objects.get(party__role="respondent")
    if setup == "applied":
        services.confirmation_apply(case=signed, actor=village_mediator, applied_on=date(2026, 11, 25), court="法院")
    elif setup == "closed":
        services.case_close(case=signed, actor=village_mediator)
    else:
        services.signature_withdraw(case=signed, actor=village_mediator, signature=signature, reason="登记错误")
    signed.refresh_from_db()
    before = (signed.timeline.count(), AgreementSignature.objects.filter(withdrawn_at__isnull=True).count())
    url = f"/api/v1/mediation/cases/{signed.pk}/agreement/signatures/{signature.pk}/withdraw/"
    answer = api_as(village_mediator).post(url, {"reason": "登记错误"}, format="json")
    assert (answer.status_code, answer.json()) == (409, {"code": code, "detail": detail})
    assert (signed.timeline.count(), AgreementSignature.objects.filter(withdrawn_at__isnull=True).count()) == before


def test_a_signature_of_another_case_is_not_found(signed, register, village_mediator, api_as):
    other = register()
    signature = AgreementSignature.objects.get(party__role="respondent")
    url = f"/api/v1/mediation/cases/{other.pk}/agreement/signatures/{signature.pk}/withdraw/"
    assert api_as(village_mediator).post(url, {"reason": "x"}, format="json").status_code == 404
    assert AgreementSignature.objects.filter(withdrawn_at__isnull=False).count() == 0


# who → (API answer, page answer): the case's mediators may; the supervisor sees the case but is
# refused; everyone else — other staff, other mediators, the party — does not see it.
WITHDRAW_MATRIX = {
    "lead": (200, 302),
    "co": (200, 302),
    "supervisor": (403, 403),
    "east_staff": (404, 404),
    "west_mediator": (404, 404),
    "party": (404, 404),
}


@pytest.mark.parametrize("who", sorted(WITHDRAW_MATRIX))
@pytest.mark.parametrize("door", ["api", "page"])
def test_who_may_withdraw_a_signature(
    who,
    door,
    signed,
    village_mediator,
    co_mediator,
    street_supervisor,
    east_staff,
    west_mediator,
    east_resident,
    api_as,
):
    services.case_assign(case=signed, mediator=co_mediator, actor=street_supervisor)
    user = {
        "lead": village_mediator,
        "co": co_mediator,
        "supervisor": street_supervisor,
        "east_staff": east_staff,
        "west_mediator": west_mediator,
        "party": east_resident,
    }[who]
    signature = AgreementSignature.objects.get(party__role="respondent")
    before = signed.timeline.count()
    api_expected, page_expected = WITHDRAW_MATRIX[who]
    if door == "api":
        url = f"/api/v1/mediation/cases/{signed.pk}/agreement/signatures/{signature.pk}/withdraw/"
        answer = api_as(user).post(url, {"reason": "登记错误"}, format="json")
        assert answer.status_code == api_expected
        if api_expected == 200:
            assert [(r["role"], r["signed"]) for r in answer.json()] == [("applicant", True), ("respondent", False)]
        if api_expected == 403:
            assert answer.json()["code"] == "not_case_mediator"
    else:
        client = Client()
        client.force_login(user)
        answer = client.post(
            reverse("mediation:signature_withdraw", args=[signed.pk, signature.pk]),
            {f"withdraw{signature.pk}-reason": "登记错误"},
        )
        assert answer.status_code == page_expected
    signature.refresh_from_db()
    if api_expected == 200:
        assert signature.withdrawn_at is not None
        assert signed.timeline.count() == before + 2
    else:
        assert signature.withdrawn_at is None
        assert signed.timeline.count() == before


def test_the_admin_asks_the_same_policy(signed, village_mediator, make_user):
    signature = AgreementSignature.objects.get(party__role="respondent")
    url = reverse("admin:mediation_agreementsignature_changelist")
    post = {"action": "withdraw_signatures", "_selected_action": [signature.pk], "reason": "登记错误"}
    admin = make_user(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    refused = client.post(url, post, follow=True).content.decode()
    assert "只有承办本案的调解员可以执行此操作。" in refused
    signature.refresh_from_db()
    assert signature.withdrawn_at is None
    village_mediator.is_staff = True
    village_mediator.save(update_fields=["is_staff"])
    village_mediator.user_permissions.add(Permission.objects.get(codename="view_agreementsignature"))
    client.force_login(village_mediator)
    blank = client.post(url, {**post, "reason": ""}, follow=True).content.decode()
    assert "请说明撤回签字的原因（如：登记错了当事人或日期）。" in blank
    signature.refresh_from_db()
    assert signature.withdrawn_at is None
    client.post(url, post, follow=True)
    signature.refresh_from_db()
    assert (signature.withdrawn_by, signature.withdraw_reason) == (village_mediator, "登记错误")


def test_the_case_page_offers_withdrawal_only_while_it_is_allowed(signed, village_mediator):
    client = Client()
    client.force_login(village_mediator)
    page = client.get(reverse("mediation:case_detail", args=[signed.pk])).content.decode()
    assert page.count("撤回签字") == 2
    assert "生效日期：<strong>2026-11-25</strong>" in page
    signature = AgreementSignature.objects.get(party__role="respondent")
    url = reverse("mediation:signature_withdraw", args=[signed.pk, signature.pk])
    blank = client.post(url, {f"withdraw{signature.pk}-reason": ""})
    assert blank.status_code == 400
    signature.refresh_from_db()
    assert signature.withdrawn_at is None
    services.confirmation_apply(case=signed, actor=village_mediator, applied_on=date(2026, 11, 25), court="法院")
    page = client.get(reverse("mediation:case_detail", args=[signed.pk])).content.decode()
    assert "撤回签字" not in page


# --- Reopen → a second agreement ------------------------------------------------------------


def test_a_reopened_case_records_a_second_agreement_and_keeps_the_first_as_history(register, village_mediator, api_as):
    api = api_as(village_mediator)
    with time_machine.travel("2026-03-01 10:00 +0800", tick=False):
        case = register()
        services.case_accept(case=case, actor=village_mediator)
        services.case_start(case=case, actor=village_mediator)
        services.agreement_record(case=case, actor=village_mediator, terms="赔偿800元", signed_on=date(2026, 3, 1))
        for party in case.parties.all():
            case.refresh_from_db()
            services.signature_record(case=case, actor=village_mediator, party=party, method="in_person")
        case.refresh_from_db()
        services.case_close(case=case, actor=village_mediator)
    first = Agreement.objects.get()
    with time_machine.travel("2026-03-08 10:00 +0800", tick=False):
        week = FollowUp.objects.get(agreement=first, kind="week")
        services.follow_up_record(follow_up=week, actor=village_mediator, outcome="recurred", note="又漏水了")
        case.refresh_from_db()
        assert case.status == "reopened"
        assert case.agreement is None
        assert api.get(f"/api/v1/mediation/cases/{case.pk}/follow-ups/").json() == []
        services.case_start(case=case, actor=village_mediator)
        made = api.post(
            f"/api/v1/mediation/cases/{case.pk}/agreement/",
            {"terms": "更换全部水管并赔偿1200元", "signed_on": "2026-03-08"},
            format="json",
        )
        assert made.status_code == 201
        assert (made.json()["status"], made.json()["agreement"]["round"]) == ("agreed", 2)
        again = api.post(
            f"/api/v1/mediation/cases/{case.pk}/agreement/", {"terms": "x", "signed_on": "2026-03-08"}, format="json"
        )
        assert (again.status_code, again.json()["code"]) == (409, "agreement_exists")
        second = Agreement.objects.get(round=2)
        # The first round, as it was: superseded, its signatures kept, the visit not made cancelled.
        first.refresh_from_db()
        assert first.superseded_at is not None
        assert first.effective_on == date(2026, 3, 1)
        assert AgreementSignature.objects.filter(agreement=first, withdrawn_at__isnull=True).count() == 2
        assert _visits(first) == [
            ("week", date(2026, 3, 8), date(2026, 3, 7), "done"),
            ("month", date(2026, 3, 31), date(2026, 3, 30), "cancelled"),
        ]
        assert _visits(second) == [
            ("week", date(2026, 3, 15), date(2026, 3, 14), "pending"),
            ("month", date(2026, 4, 7), date(2026, 4, 6), "pending"),
        ]
        follow_ups = api.get(f"/api/v1/mediation/cases/{case.pk}/follow-ups/").json()
        assert [(f["agreement"], f["kind"], f["due_on"]) for f in follow_ups] == [
            (second.pk, "week", "2026-03-15"),
            (second.pk, "month", "2026-04-07"),
        ]
        earlier = api.get(f"/api/v1/mediation/cases/{case.pk}/follow-ups/?agreement={first.pk}").json()
        assert [(f["kind"], f["status"], f["outcome"]) for f in earlier] == [
            ("week", "done", "recurred"),
            ("month", "cancelled", ""),
        ]
        rounds = api.get(f"/api/v1/mediation/cases/{case.pk}/agreements/").json()
        assert [(r["round"], r["effective_on"], r["superseded_at"] is not None) for r in rounds] == [
            (1, "2026-03-01", True),
            (2, None, False),
        ]
        # Signatures and judicial confirmation act on the current agreement.
        rows = api.get(f"/api/v1/mediation/cases/{case.pk}/agreement/signatures/").json()
        assert [r["signed"] for r in rows] == [False, False]
        refused = api.post(
            f"/api/v1/mediation/cases/{case.pk}/judicial-confirmation/",
            {"applied_on": "2026-03-08", "court": "海淀区人民法院"},
            format="json",
        )
        assert (refused.status_code, refused.json()["code"]) == (409, "agreement_not_in_force")
        for party in case.parties.all():
            api.post(
                f"/api/v1/mediation/cases/{case.pk}/agreement/signatures/",
                {"party": party.pk, "method": "in_person"},
                format="json",
            )
        applied = api.post(
            f"/api/v1/mediation/cases/{case.pk}/judicial-confirmation/",
            {"applied_on": "2026-03-08", "court": "海淀区人民法院"},
            format="json",
        )
        assert applied.status_code == 201
        assert JudicialConfirmation.objects.get().agreement == second
        # The PDF: the current agreement by default, an earlier one by its id.
        current = api.get(f"/api/v1/mediation/cases/{case.pk}/agreement/pdf/")
        assert current["Content-Disposition"] == f'attachment; filename="agreement-{case.year}-{case.sequence}-r2.pdf"'
        assert "更换全部水管并赔偿1200元" in _pdf_text(current.content)
        old = api.get(f"/api/v1/mediation/cases/{case.pk}/agreements/{first.pk}/pdf/")
        assert old["Content-Disposition"] == f'attachment; filename="agreement-{case.year}-{case.sequence}.pdf"'
        old_text = _pdf_text(old.content)
        assert "（第1轮调解协议，已于2026年3月8日因案件重新启动调解而失效，仅供存档）" in old_text
        assert "赔偿800元" in old_text
        client = Client()
        client.force_login(village_mediator)
        page = client.get(reverse("mediation:case_detail", args=[case.pk])).content.decode()
        assert "第2轮调解协议（当前）" in page
        assert "以前各轮调解协议（已失效）" in page
        assert "第1轮调解协议（2026-03-01）" in page
        assert reverse("mediation:agreement_round_pdf", args=[case.pk, first.pk]) in page
        assert client.get(reverse("mediation:agreement_round_pdf", args=[case.pk, first.pk])).status_code == 200
    notes = list(case.timeline.filter(kind=CaseTimelineEntry.Kind.AGREEMENT).values_list("note", flat=True))
    assert "第1轮调解协议（2026-03-01）因案件重新启动而失效，作为历史保留。" in notes
    assert "第2轮调解协议。回访安排：2026-03-15、2026-04-07" in notes
    # An earlier round's signature cannot be withdrawn.
    old_signature = AgreementSignature.objects.filter(agreement=first).first()
    answer = api.post(
        f"/api/v1/mediation/cases/{case.pk}/agreement/signatures/{old_signature.pk}/withdraw/",
        {"reason": "x"},
        format="json",
    )
    assert (answer.status_code, answer.json()["code"]) == (409, "agreement_superseded")


def test_an_earlier_rounds_signature_cannot_be_withdrawn(register, village_mediator):
    with time_machine.travel("2026-03-01 10:00 +0800", tick=False):
        case = register()
        services.case_accept(case=case, actor=village_mediator)
        services.case_start(case=case, actor=village_mediator)
        services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=date(2026, 3, 1))
        for party in case.parties.all():
            case.refresh_from_db()
            services.signature_record(case=case, actor=village_mediator, party=party, method="in_person")
        case.refresh_from_db()
        services.case_close(case=case, actor=village_mediator)
        case.refresh_from_db()
        services.case_reopen(case=case, actor=village_mediator, note="纠纷复发")
        case.refresh_from_db()
        services.case_start(case=case, actor=village_mediator)
        services.agreement_record(case=case, actor=village_mediator, terms="y", signed_on=date(2026, 3, 1))
        case.refresh_from_db()
        old = AgreementSignature.objects.filter(agreement__round=1).first()
        with pytest.raises(Conflict) as caught:
            services.signature_withdraw(case=case, actor=village_mediator, signature=old, reason="x")
    assert (caught.value.code, str(caught.value.detail)) == (
        "agreement_superseded",
        "这是以前一轮的调解协议，已经失效，其签字不能撤回。",
    )
    assert AgreementSignature.objects.filter(withdrawn_at__isnull=False).count() == 0


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content), strict=True)
    return "".join("".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.parametrize("model", ["agreement", "agreementsignature", "followup", "judicialconfirmation"])
def test_the_admin_lists_and_shows_the_agreement_rows_read_only(signed, make_user, model):
    client = Client()
    client.force_login(make_user(username="root", is_superuser=True, is_staff=True))
    listing = client.get(reverse(f"admin:mediation_{model}_changelist"))
    assert listing.status_code == 200
    row = {
        "agreement": Agreement.objects.first(),
        "agreementsignature": AgreementSignature.objects.first(),
        "followup": FollowUp.objects.first(),
        "judicialconfirmation": None,
    }[model]
    if row is not None:
        page = client.get(reverse(f"admin:mediation_{model}_change", args=[row.pk]))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()


# --- Parties once agreed ----------------------------------------------------------------------


def test_no_party_joins_an_agreed_case_so_an_agreement_never_binds_someone_unsigned(agreed, village_mediator, api_as):
    before = agreed.parties.count()
    response = api_as(village_mediator).post(
        f"/api/v1/mediation/cases/{agreed.pk}/parties/", {"role": "third_party", "name": "王老汉"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "parties_closed"
    assert response.json()["detail"] == (
        "案件当前为“已达成协议”，不能再增加当事人。协议只约束已签名的当事人；如需增加当事人，请重新启动调解。"
    )
    assert agreed.parties.count() == before


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("registered", True),
        ("accepted", True),
        ("mediating", True),
        ("reopened", True),
        ("agreed", False),
        ("failed", False),
        ("referred", False),
        ("closed", False),
        ("declined", False),
    ],
)
def test_parties_join_only_while_the_case_is_being_mediated(register, village_mediator, status, allowed):
    case = register()
    type(case).objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    if allowed:
        services.party_add(case=case, actor=village_mediator, role="third_party", name="王老汉")
        assert case.parties.filter(name="王老汉").exists()
        # every state change is on the case's timeline: by role, the name masked as in lists
        entry = case.timeline.get(kind="party")
        assert (entry.actor, entry.note) == (village_mediator, "增加当事人（第三人）：王*汉")
    else:
        with pytest.raises(Conflict) as refused:
            services.party_add(case=case, actor=village_mediator, role="third_party", name="王老汉")
        assert refused.value.code == "parties_closed"
        assert not case.parties.filter(name="王老汉").exists()
        assert not case.timeline.filter(kind="party").exists()
