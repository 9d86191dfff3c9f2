"""Attendance per group and the quorum by the nearest council rule."""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from governance.consultation.models import CouncilRule, Group, Meeting, Participant
from governance.models import Area
from governance.selectors import area_ancestors

DEFAULT_RESIDENT_REP_PERCENT = 50
DEFAULT_PROPERTY_REQUIRED = True


@dataclass(frozen=True)
class Attendance:
    invited: dict[str, int] = field(default_factory=dict)
    signed: dict[str, int] = field(default_factory=dict)

    @property
    def present(self) -> int:
        return sum(self.signed.values())

    def rows(self) -> list[tuple[str, str, int, int]]:
        """``(group, label, invited, signed)`` for every group with an invitee."""
        return [
            (g, str(label), self.invited[g], self.signed.get(g, 0)) for g, label in Group.choices if g in self.invited
        ]


def attendance_for(*, meeting: Meeting) -> Attendance:
    invited: dict[str, int] = {}
    signed: dict[str, int] = {}
    for group, signed_in in Participant.objects.filter(meeting=meeting).values_list("group", "signed_in_at"):
        invited[group] = invited.get(group, 0) + 1
        if signed_in is not None:
            signed[group] = signed.get(group, 0) + 1
    return Attendance(invited=invited, signed=signed)


def rule_for(*, area: Area) -> tuple[int, bool]:
    """``(resident representatives' percent, property company required)``: the nearest rule above."""
    rule = (
        CouncilRule.objects.filter(area__in=area_ancestors(area=area)).select_related("area").order_by("-area__depth")
    ).first()
    if rule is None:
        return DEFAULT_RESIDENT_REP_PERCENT, DEFAULT_PROPERTY_REQUIRED
    return rule.resident_rep_percent, rule.property_required


@dataclass(frozen=True)
class Quorum:
    ok: bool
    reasons: list[str]


def quorum_for(*, meeting: Meeting) -> Quorum:
    """Quorum per group by the compound's rule: enough residents' representatives signed in, and
    someone from the property company when the rule asks for it."""
    percent, property_required = rule_for(area=meeting.area)
    attendance = attendance_for(meeting=meeting)
    reasons = []
    reps_invited = attendance.invited.get(Group.RESIDENT_REP, 0)
    reps_signed = attendance.signed.get(Group.RESIDENT_REP, 0)
    needed = math.ceil(reps_invited * percent / 100)
    if reps_invited == 0:
        reasons.append(_("没有邀请居民代表"))
    elif reps_signed < max(needed, 1):
        reasons.append(
            _("居民代表到会 %(signed)d 人，至少需要 %(needed)d 人") % {"signed": reps_signed, "needed": max(needed, 1)}
        )
    if property_required and attendance.signed.get(Group.PROPERTY, 0) == 0:
        reasons.append(_("物业公司无人到会"))
    return Quorum(ok=not reasons, reasons=reasons)
