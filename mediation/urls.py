"""Mediation pages under /mediation/ (included once from governance/urls.py)."""

from django.urls import path

from mediation import views

app_name = "mediation"

urlpatterns = [
    path("", views.case_list_view, name="cases"),
    path("apply/", views.case_apply_view, name="apply"),
    path("overview/", views.overview_view, name="overview"),
    path("cases/new/", views.case_new_view, name="case_new"),
    path("cases/<int:pk>/", views.case_detail_view, name="case_detail"),
    path("cases/<int:pk>/assign/", views.case_assign_view, name="case_assign"),
    path("cases/<int:pk>/relations/", views.relation_add_view, name="relation_add"),
    path("cases/<int:pk>/relations/<int:relation_pk>/remove/", views.relation_remove_view, name="relation_remove"),
    path("cases/<int:pk>/sessions/new/", views.session_new_view, name="session_new"),
    path("cases/<int:pk>/agreement/", views.agreement_view, name="agreement"),
    path("cases/<int:pk>/agreement/signatures/", views.signature_view, name="signature"),
    path(
        "cases/<int:pk>/agreement/signatures/<int:signature_pk>/withdraw/",
        views.signature_withdraw_view,
        name="signature_withdraw",
    ),
    path("cases/<int:pk>/agreement/pdf/", views.agreement_pdf_view, name="agreement_pdf"),
    path("cases/<int:pk>/agreements/<int:agreement_pk>/pdf/", views.agreement_pdf_view, name="agreement_round_pdf"),
    path("cases/<int:pk>/judicial-confirmation/", views.confirmation_apply_view, name="confirmation_apply"),
    path("cases/<int:pk>/judicial-confirmation/decide/", views.confirmation_decide_view, name="confirmation_decide"),
    path("cases/<int:pk>/<slug:move>/", views.case_move_view, name="case_move"),
    path("sessions/<int:pk>/hold/", views.session_hold_view, name="session_hold"),
    path("follow-ups/<int:pk>/", views.follow_up_view, name="follow_up"),
]
