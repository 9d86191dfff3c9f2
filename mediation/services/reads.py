"""What is read of a case: its public-safe status, and the audit of every read of its file."""

from django.db import transaction
from django.utils.translation import gettext_lazy

from governance.models import AuditEntry, User
from governance.services import audit_record
from mediation.models import Case

S = Case.Status


PUBLIC_STATUS = {
    S.REGISTERED: gettext_lazy("已登记，等待受理"),
    S.ACCEPTED: gettext_lazy("已受理"),
    S.DECLINED: gettext_lazy("不予受理"),
    S.MEDIATING: gettext_lazy("调解中"),
    S.AGREED: gettext_lazy("已达成调解协议"),
    S.FAILED: gettext_lazy("调解未达成一致"),
    S.REFERRED: gettext_lazy("已引导通过其他途径解决"),
    S.CLOSED: gettext_lazy("已结案"),
    S.REOPENED: gettext_lazy("重新调解中"),
}


def public_status(case: Case) -> str:
    return str(PUBLIC_STATUS[case.status])


# --- Audited reads --------------------------------------------------------------------------


@transaction.atomic
def case_read_record(*, actor: User, case: Case, part: str, request=None) -> None:
    """Record that ``actor`` read ``part`` of the case (page, detail, parties, timeline)."""
    audit_record(
        actor=actor,
        action=AuditEntry.Action.READ_PERSONAL,
        obj=case,
        changes={"part": part},
        request=request,
        object_repr=case.number,
    )
