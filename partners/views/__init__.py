"""Partners pages: phone first for partners (my points, log a service, rewards, vouchers), plain
lists for staff (applications, service records to verify, fulfilment by code, the ledger check).

Every page states its rule; per-object decisions come from ``partners.policies``; writes go
through ``partners.services`` like every other door.

One module per kind of page; every view is re-exported here for the URLconf.
"""

from partners.views.mine import (
    PENDING_NAMESPACE,
    PHOTO_ERROR_CODES,
    STATEMENT_PAGE,
    apply_view,
    credit_view,
    my_points_view,
    record_photo_view,
    service_new_view,
)
from partners.views.nav import nav_links
from partners.views.projects import project_claim_view, projects_view
from partners.views.review import (
    adjustment_approve_view,
    adjustments_view,
    applications_view,
    ledger_view,
    partner_decide_view,
    record_reject_view,
    record_verify_view,
    records_view,
)
from partners.views.rewards import (
    fulfil_view,
    redeem_view,
    rewards_view,
    voucher_cancel_view,
    voucher_qr_view,
    vouchers_view,
)

__all__ = [
    "PENDING_NAMESPACE",
    "PHOTO_ERROR_CODES",
    "STATEMENT_PAGE",
    "adjustment_approve_view",
    "adjustments_view",
    "applications_view",
    "apply_view",
    "credit_view",
    "fulfil_view",
    "ledger_view",
    "my_points_view",
    "nav_links",
    "partner_decide_view",
    "project_claim_view",
    "projects_view",
    "record_photo_view",
    "record_reject_view",
    "record_verify_view",
    "records_view",
    "redeem_view",
    "rewards_view",
    "service_new_view",
    "voucher_cancel_view",
    "voucher_qr_view",
    "vouchers_view",
]
