"""Grid pages (phone first), root-relative: /grid/, /patrols/…, /events/…, /queue/, /tasks/, /track/, /efficiency/."""

from django.urls import path

from grids import views

app_name = "grids"

urlpatterns = [
    path("grid/", views.grid_view, name="grid"),
    path("patrols/start/", views.patrol_start_view, name="patrol_start"),
    path("patrols/<int:pk>/points/", views.patrol_points_view, name="patrol_points"),
    path("patrols/<int:pk>/finish/", views.patrol_finish_view, name="patrol_finish"),
    path("events/new/", views.event_new_view, name="event_new"),
    path("events/<int:pk>/", views.event_detail_view, name="event_detail"),
    path("events/<int:pk>/photos/<int:photo_pk>/", views.event_photo_view, name="event_photo"),
    path("events/<int:pk>/photos/<int:photo_pk>/view/", views.event_photo_page_view, name="event_photo_page"),
    path("events/<int:pk>/accept/", views.event_accept_view, name="event_accept"),
    path("events/<int:pk>/reject/", views.event_reject_view, name="event_reject"),
    path("events/<int:pk>/dispatch/", views.event_dispatch_view, name="event_dispatch"),
    path("events/<int:pk>/close/", views.event_close_view, name="event_close"),
    path("events/<int:pk>/start/", views.event_start_view, name="event_start"),
    path("events/<int:pk>/resolve/", views.event_resolve_view, name="event_resolve"),
    path("events/<int:pk>/contact/", views.event_contact_view, name="event_contact"),
    path("events/<int:pk>/rate/", views.event_rate_view, name="event_rate"),
    path("events/<int:pk>/return-visit/", views.event_return_visit_view, name="event_return_visit"),
    path("events/<int:pk>/return/", views.event_return_view, name="event_return"),
    path("events/<int:pk>/redispatch/", views.event_redispatch_view, name="event_redispatch"),
    path("events/<int:pk>/urge/", views.event_urge_view, name="event_urge"),
    path("events/<int:pk>/withdraw/", views.event_withdraw_view, name="event_withdraw"),
    path("queue/", views.queue_view, name="queue"),
    path("my/reports/", views.my_reports_view, name="my_reports"),
    path("my/patrols/", views.my_patrols_view, name="my_patrols"),
    path("tasks/", views.tasks_view, name="tasks"),
    path("track/", views.track_lookup_view, name="track_lookup"),
    path("track/<str:code>/", views.track_view, name="track"),
    path("track/<str:code>/photos/<int:photo_pk>/", views.track_photo_view, name="track_photo"),
    path("r/<str:secret>/", views.rate_by_link_view, name="rate_by_link"),
    path("efficiency/", views.efficiency_view, name="efficiency"),
]
