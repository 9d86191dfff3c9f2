"""Consultation pages (phone first), under /consultation/."""

from django.urls import path

from governance.consultation import views

app_name = "consultation"

urlpatterns = [
    path("", views.meeting_list_view, name="meetings"),
    path("meetings/new/", views.meeting_new_view, name="meeting_new"),
    path("meetings.ics", views.calendar_view, name="calendar"),
    path("calendar/<str:token>.ics", views.personal_calendar_view, name="personal_calendar"),
    path("meetings/<int:pk>/", views.meeting_detail_view, name="meeting_detail"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf_view, name="minutes_pdf"),
    path("meetings/<int:pk>/sign-in-qr/", views.sign_in_qr_view, name="sign_in_qr"),
    path("meetings/<int:pk>/sign-in-qr.svg", views.sign_in_qr_svg_view, name="sign_in_qr_svg"),
    path("meetings/<int:pk>/scan/<str:code>/", views.scan_sign_in_view, name="scan_sign_in"),
    path("meetings/<int:pk>/<str:action>/", views.meeting_action_view, name="meeting_action"),
    path("items/<int:pk>/vote/", views.item_vote_view, name="item_vote"),
    path("items/<int:pk>/move/", views.item_move_view, name="item_move"),
    path("resolutions/", views.resolutions_view, name="resolutions"),
    path("resolutions/<int:pk>/progress/", views.resolution_progress_view, name="resolution_progress"),
    path("topics/", views.topics_view, name="topics"),
    path("topics/<int:pk>/support/", views.topic_support_view, name="topic_support"),
    path("resolutions/<int:pk>/subtasks/", views.resolution_subtask_view, name="resolution_subtask"),
    path("compounds/<str:code>/", views.compound_view, name="compound"),
    path("compounds/<str:code>/seats/", views.compound_seats_view, name="compound_seats"),
    path("compounds/<str:code>/seats/<int:pk>/end/", views.compound_seat_end_view, name="compound_seat_end"),
    path("compounds/<str:code>/volunteers/", views.compound_volunteers_view, name="compound_volunteers"),
    path(
        "compounds/<str:code>/volunteers/<int:pk>/end/",
        views.compound_volunteer_end_view,
        name="compound_volunteer_end",
    ),
    path("compounds/<str:code>/services/", views.compound_service_add_view, name="compound_service_add"),
    path("compounds/<str:code>/fee-plans/", views.compound_fee_plan_add_view, name="compound_fee_plan_add"),
    path("service-items/<int:pk>/rate/", views.service_rate_view, name="service_rate"),
    path("people/<int:pk>/", views.person_view, name="person"),
]
