"""Django admin for the core models, in Chinese: one module per job, each registering its models."""

# The admin is one of the four doors: every save and every action calls the same service the pages
# and the API call. A rule a service enforces is checked in the ModelForm's ``clean`` (so it shows
# as a form error); a domain error that still escapes a save or an action becomes a message on the
# page, never a 500. Ledger-like rows (audit entries, notifications) are view-only.

from governance.admin.areas import AreaAdmin, DepartmentAdmin, PartyOrganizationAdmin, PartyOrganizationForm
from governance.admin.base import ServiceAdmin, ViewOnlyAdmin, add_service_error, adopt, error_detail, run_action
from governance.admin.holidays import CalendarAdjustmentAdmin, CalendarAdjustmentForm
from governance.admin.ledger import AuditEntryAdmin, NotificationAdmin
from governance.admin.people import PostAdmin, PostGrantForm, PostInline, UserAdmin

__all__ = [
    "AreaAdmin",
    "AuditEntryAdmin",
    "CalendarAdjustmentAdmin",
    "CalendarAdjustmentForm",
    "DepartmentAdmin",
    "NotificationAdmin",
    "PartyOrganizationAdmin",
    "PartyOrganizationForm",
    "PostAdmin",
    "PostGrantForm",
    "PostInline",
    "ServiceAdmin",
    "UserAdmin",
    "ViewOnlyAdmin",
    "add_service_error",
    "adopt",
    "error_detail",
    "run_action",
]
