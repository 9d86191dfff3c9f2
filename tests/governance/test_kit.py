"""The kit itself (governance/policy.py, governance/workflow.py), tested on its own terms.

The apps' tables are tested in each app; here a small table over ``grids.Event`` (any model with a
status and a version would do) pins what every app relies on: the compare-and-set, the declared
writes, the recompute after a clock write, the stamps, the record hook, and how a refusal is shown
at each door. Expected values are written down, never read from the kit.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404

from governance.exceptions import InvalidTransition, StaleState
from governance.models import Role
from governance.policy import Decision, Forbidden, Hidden, PageForbidden, allow, deny
from governance.workflow import UndeclaredWrite, Workflow
from grids.models import Event, EventCategory
from grids.services import event_report
from tests.grids.conftest import EAST_POINT, east_grid, municipal  # noqa: F401

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

# --- policy.py ----------------------------------------------------------------------------------


def test_allow_is_a_true_decision_with_nothing_to_say():
    decision = allow()
    assert bool(decision) is True
    assert (decision.allowed, decision.code, decision.detail, decision.status_code) == (True, "", "", 403)
    assert decision.raise_if_denied() is None
    assert decision.raise_for_page() is None


def test_deny_is_a_false_decision_with_its_code_detail_and_403():
    decision = deny("not_reporter_role", "您的岗位不能上报事件。")
    assert bool(decision) is False
    assert decision == Decision(False, "not_reporter_role", "您的岗位不能上报事件。", 403)


def test_a_hidden_denial_is_shown_as_404():
    assert deny("not_yours", "看不到", hidden=True) == Decision(False, "not_yours", "看不到", 404)


def test_the_api_door_raises_forbidden_with_the_policys_code_and_detail():
    with pytest.raises(Forbidden) as caught:
        deny("source_not_allowed", "只有社区工作人员可以登记12345热线来电。").raise_if_denied()
    assert (caught.value.status_code, caught.value.code, caught.value.detail) == (
        403,
        "source_not_allowed",
        "只有社区工作人员可以登记12345热线来电。",
    )


def test_a_refusal_without_words_says_the_default_in_chinese():
    with pytest.raises(Forbidden) as caught:
        Decision(False).raise_if_denied()
    assert (caught.value.code, caught.value.detail) == ("permission_denied", "您没有执行此操作的权限。")


def test_the_api_door_raises_hidden_as_not_found_and_never_the_policys_code():
    with pytest.raises(Hidden) as caught:
        deny("not_yours", "", hidden=True).raise_if_denied()
    assert (caught.value.status_code, caught.value.code, caught.value.detail) == (
        404,
        "not_found",
        "未找到，或不在您的管辖范围内。",
    )


def test_a_hidden_refusal_with_words_of_its_own_keeps_them():
    with pytest.raises(Hidden) as caught:
        deny("not_allowed", "只有本人和社区工作人员可以查看任职情况。", hidden=True).raise_if_denied()
    assert (caught.value.code, caught.value.detail) == ("not_found", "只有本人和社区工作人员可以查看任职情况。")


def test_the_page_door_raises_the_403_page_with_code_and_reason():
    with pytest.raises(PageForbidden) as caught:
        deny("rate_not_reporter", "只有上报人可以评价。").raise_for_page()
    assert isinstance(caught.value, PermissionDenied)
    assert (caught.value.code, caught.value.detail, str(caught.value)) == (
        "rate_not_reporter",
        "只有上报人可以评价。",
        "只有上报人可以评价。",
    )


def test_the_page_door_raises_404_for_a_hidden_refusal():
    with pytest.raises(Http404) as caught:
        deny("not_yours", "不存在", hidden=True).raise_for_page()
    assert str(caught.value) == "不存在"


def test_the_api_renders_a_policy_refusal_in_the_envelope(api_as, make_user, area_tree):
    """The door nearest a person: POST as a resident who files a hotline event → 403 and the code."""
    resident = make_user(Role.RESIDENT, area_tree["east_building"])
    response = api_as(resident).post(
        "/api/v1/events/",
        {"description": "热线来电", "lon": EAST_POINT[0], "lat": EAST_POINT[1], "source": "hotline"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {"code": "source_not_allowed", "detail": "只有社区工作人员可以登记12345热线来电。"}


# --- workflow.py --------------------------------------------------------------------------------

MOVES = {
    "reported": {"accepted": {"level"}, "rejected": {"reject_reason", "responded_at"}},
    "accepted": {"dispatched": {"department"}},
}
LABELS = {"reported": "已上报", "accepted": "已受理", "rejected": "不予受理", "dispatched": "已派发"}


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, *, obj, frm, to, actor, note):
        self.calls.append((obj.pk, frm, to, actor, note))


@pytest.fixture
def flow():
    return Workflow(
        model=Event, moves=MOVES, record=Recorder(), labels=LABELS, noun="事件", stale_detail="已被他人处理"
    )


@pytest.fixture
def event(east_grid, municipal, grid_worker):  # noqa: F811
    category = EventCategory.objects.create(service_code="manhole", name="井盖破损", department=municipal)
    with time_machine.travel(NOW, tick=False):
        return event_report(
            reporter=grid_worker,
            category=category,
            description="井盖缺失",
            lon=EAST_POINT[0],
            lat=EAST_POINT[1],
            source="patrol",
        )


def row(event):
    return Event.objects.values("status", "version", "level", "reject_reason", "status_changed_at").get(pk=event.pk)


def test_the_table_answers_targets_and_writes_as_declared(flow):
    assert flow.targets("reported") == frozenset({"accepted", "rejected"})
    assert flow.targets("dispatched") == frozenset()
    assert flow.table() == {"reported": frozenset({"accepted", "rejected"}), "accepted": frozenset({"dispatched"})}
    assert flow.writes("reported", "rejected") == frozenset({"reject_reason", "responded_at"})
    assert flow.writes("reported", "dispatched") == frozenset()
    assert flow.writes("closed", "reported") == frozenset()


def test_a_move_outside_the_table_is_refused_in_words_and_writes_nothing(flow, event):
    before = row(event)
    with pytest.raises(InvalidTransition) as caught:
        flow.transition(event, to="dispatched")
    assert (caught.value.frm, caught.value.to, caught.value.status_code) == ("reported", "dispatched", 409)
    assert caught.value.detail == "事件当前为“已上报”，不能变更为“已派发”。"
    assert row(event) == before
    assert flow.record.calls == []


def test_an_unlabelled_status_is_named_by_its_code(event):
    bare = Workflow(model=Event, moves=MOVES)
    with pytest.raises(InvalidTransition) as caught:
        bare.transition(event, to="closed")
    assert caught.value.detail == "当前为“reported”，不能变更为“closed”。"


def test_a_move_sets_status_bumps_version_by_one_stamps_and_records_once(flow, event, grid_worker):
    version = event.version
    later = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        moved = flow.transition(event, to="accepted", actor=grid_worker, note="收到", changes={"level": 2})
    assert moved is event
    assert (event.status, event.version, event.level, event.status_changed_at) == ("accepted", version + 1, 2, later)
    assert row(event) == {
        "status": "accepted",
        "version": version + 1,
        "level": 2,
        "reject_reason": "",
        "status_changed_at": later,
    }
    assert Event.objects.get(pk=event.pk).updated_at == later
    assert flow.record.calls == [(event.pk, "reported", "accepted", grid_worker, "收到")]


def test_a_move_writing_an_undeclared_column_is_refused_before_anything_is_written(flow, event):
    before = row(event)
    with pytest.raises(UndeclaredWrite) as caught:
        flow.transition(event, to="accepted", changes={"level": 2, "resolution": "x", "department_id": 1})
    assert str(caught.value) == "Event reported → accepted may not write department_id, resolution"
    assert row(event) == before
    assert flow.record.calls == []


def test_a_declared_column_of_another_move_is_still_undeclared_for_this_one(flow, event):
    with pytest.raises(UndeclaredWrite):
        flow.transition(event, to="accepted", changes={"reject_reason": "重复"})


def test_a_move_on_a_stale_status_is_stale_state_and_writes_nothing(flow, event):
    Event.objects.filter(pk=event.pk).update(status="rejected", version=F("version") + 1)
    after_other = row(event)
    with pytest.raises(StaleState) as caught:
        flow.transition(event, to="accepted", changes={"level": 2})  # ``event`` still says "reported"
    assert (caught.value.status_code, caught.value.code, caught.value.detail) == (409, "stale_state", "已被他人处理")
    assert row(event) == after_other
    assert flow.record.calls == []


def test_stale_state_without_a_detail_of_its_own_says_the_default(event):
    Event.objects.filter(pk=event.pk).update(status="rejected")
    with pytest.raises(StaleState) as caught:
        Workflow(model=Event, moves=MOVES).transition(event, to="accepted")
    assert caught.value.detail == "数据已被他人修改，请刷新后重试。"


def test_after_a_clock_write_the_move_recomputes_its_changes_from_the_fresh_row(flow, event):
    version = event.version
    Event.objects.filter(pk=event.pk).update(level=1, version=F("version") + 1)  # a clock ticked
    seen = []

    def changes(current):
        seen.append((current.version, current.level))
        return {"level": current.level + 1}

    flow.transition(event, to="accepted", changes=changes)
    assert seen == [(version, 0), (version + 1, 1)]  # the stale copy first, then the fresh row
    assert row(event)["level"] == 2
    assert (event.version, row(event)["version"]) == (version + 2, version + 2)
    assert len(flow.record.calls) == 1


def test_a_mapping_of_changes_is_written_as_given_after_a_clock_write(flow, event):
    Event.objects.filter(pk=event.pk).update(version=F("version") + 1)
    flow.transition(event, to="rejected", changes={"reject_reason": "不属于受理范围"})
    assert row(event)["reject_reason"] == "不属于受理范围"
    assert row(event)["status"] == "rejected"


def test_a_row_whose_version_keeps_moving_gives_up_after_its_retries(event):
    bumps = []

    def changes(current):
        # Another writer moves the version before every attempt's compare-and-set.
        Event.objects.filter(pk=current.pk).update(version=F("version") + 1)
        bumps.append(current.version)
        return {}

    once = Workflow(model=Event, moves=MOVES, retries=2, stale_detail="事件正在被他人处理，请稍后重试。")
    with pytest.raises(StaleState) as caught:
        once.transition(event, to="accepted", changes=changes)
    assert caught.value.detail == "事件正在被他人处理，请稍后重试。"
    assert len(bumps) == 2
    assert row(event)["status"] == "reported"


def test_a_move_without_a_note_records_an_empty_note(flow, event):
    flow.transition(event, to="accepted")
    assert flow.record.calls == [(event.pk, "reported", "accepted", None, "")]


def test_an_expression_written_by_a_move_is_read_back_as_its_value(flow, event):
    Event.objects.filter(pk=event.pk).update(level=1)
    flow.transition(event, to="accepted", changes={"level": F("level") + 1})
    assert event.level == 2
    assert row(event)["level"] == 2


def test_a_clock_write_bumps_the_version_and_writes_its_columns(flow, event):
    version = event.version
    assert flow.clock_write(event, changes={"level": 1}) is True
    assert (event.version, event.level) == (version + 1, 1)
    assert (row(event)["version"], row(event)["level"], row(event)["status"]) == (version + 1, 1, "reported")


def test_a_clock_write_on_a_moved_row_writes_nothing(flow, event):
    Event.objects.filter(pk=event.pk).update(version=F("version") + 1)
    before = row(event)
    assert flow.clock_write(event, changes={"level": 1}) is False
    assert row(event) == before
    assert event.level == 0


def test_a_clock_write_whose_condition_no_longer_holds_writes_nothing(flow, event):
    before = row(event)
    assert flow.clock_write(event, changes={"level": 1}, where=Q(status="accepted")) is False
    assert row(event) == before
    assert flow.clock_write(event, changes={"level": 1}, where=Q(status="reported")) is True
    assert row(event)["level"] == 1


def test_a_clock_write_of_an_expression_reads_the_value_back(flow, event):
    assert flow.clock_write(event, changes={"level": F("level") + 2}) is True
    assert event.level == 2
