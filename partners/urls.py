"""Partners pages, under /partners/."""

from django.urls import path

from partners import views
from partners.views import staff_desk

app_name = "partners"

urlpatterns = [
    path("", views.my_points_view, name="my_points"),
    path("apply/", views.apply_view, name="apply"),
    path("services/new/", views.service_new_view, name="service_new"),
    path("records/<int:pk>/photos/<int:photo_pk>/", views.record_photo_view, name="record_photo"),
    path("rewards/", views.rewards_view, name="rewards"),
    path("rewards/<int:pk>/redeem/", views.redeem_view, name="redeem"),
    path("vouchers/", views.vouchers_view, name="vouchers"),
    path("vouchers/<int:pk>/qr.svg", views.voucher_qr_view, name="voucher_qr"),
    path("vouchers/<int:pk>/cancel/", views.voucher_cancel_view, name="voucher_cancel"),
    path("projects/", views.projects_view, name="projects"),
    path("projects/<int:pk>/claim/", views.project_claim_view, name="project_claim"),
    path("credit/", views.credit_view, name="credit"),
    path("fulfil/", views.fulfil_view, name="fulfil"),
    path("staff/applications/", views.applications_view, name="applications"),
    path("staff/partners/<int:pk>/decide/", views.partner_decide_view, name="partner_decide"),
    path("staff/records/", views.records_view, name="records"),
    path("staff/records/<int:pk>/verify/", views.record_verify_view, name="record_verify"),
    path("staff/records/<int:pk>/reject/", views.record_reject_view, name="record_reject"),
    path("staff/adjustments/", views.adjustments_view, name="adjustments"),
    path("staff/adjustments/<int:pk>/approve/", views.adjustment_approve_view, name="adjustment_approve"),
    path("staff/ledger/", views.ledger_view, name="ledger"),
    path("staff/rules/", staff_desk.rules_view, name="staff_rules"),
    path("staff/rules/<int:pk>/edit/", staff_desk.rule_edit_view, name="staff_rule_edit"),
    path("staff/rewards/", staff_desk.rewards_staff_view, name="staff_rewards"),
    path("staff/rewards/<int:pk>/restock/", staff_desk.reward_restock_view, name="staff_reward_restock"),
    path("staff/projects/", staff_desk.projects_staff_view, name="staff_projects"),
    path("staff/projects/new/", staff_desk.project_new_view, name="staff_project_new"),
    path("staff/projects/<int:pk>/", staff_desk.project_staff_view, name="staff_project"),
    path("staff/projects/<int:pk>/claims/<int:claim_pk>/mark/", staff_desk.claim_mark_view, name="staff_claim_mark"),
    path("staff/projects/<int:pk>/close/", staff_desk.project_close_view, name="staff_project_close"),
]
