"""Grid management pages (phone first): the same services and selectors as the API.

One module per kind of page; everything is re-exported here for the URLconf."""

from grids.views._common import PAGE_SIZE
from grids.views.cards import (
    escalation_cards,
    grid_worker_cards,
    handler_cards,
    nav_links,
    resident_cards,
    staff_cards,
)
from grids.views.events import (
    event_accept_view,
    event_close_view,
    event_contact_view,
    event_detail_view,
    event_dispatch_view,
    event_photo_page_view,
    event_photo_view,
    event_rate_view,
    event_redispatch_view,
    event_reject_view,
    event_resolve_view,
    event_return_view,
    event_return_visit_view,
    event_start_view,
    event_urge_view,
    event_withdraw_view,
)
from grids.views.lists import (
    my_reports_view,
    queue_view,
    tasks_view,
)
from grids.views.public import (
    efficiency_view,
    rate_by_link_view,
    track_lookup_view,
    track_photo_view,
    track_view,
)
from grids.views.report import event_new_view
from grids.views.worker import (
    grid_view,
    my_patrols_view,
    patrol_finish_view,
    patrol_points_view,
    patrol_start_view,
)

__all__ = [
    "PAGE_SIZE",
    "efficiency_view",
    "escalation_cards",
    "event_accept_view",
    "event_close_view",
    "event_contact_view",
    "event_detail_view",
    "event_dispatch_view",
    "event_new_view",
    "event_photo_page_view",
    "event_photo_view",
    "event_rate_view",
    "event_redispatch_view",
    "event_reject_view",
    "event_resolve_view",
    "event_return_view",
    "event_return_visit_view",
    "event_start_view",
    "event_urge_view",
    "event_withdraw_view",
    "grid_view",
    "grid_worker_cards",
    "handler_cards",
    "my_patrols_view",
    "my_reports_view",
    "nav_links",
    "patrol_finish_view",
    "patrol_points_view",
    "patrol_start_view",
    "queue_view",
    "rate_by_link_view",
    "resident_cards",
    "staff_cards",
    "tasks_view",
    "track_lookup_view",
    "track_photo_view",
    "track_view",
]
