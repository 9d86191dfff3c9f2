"""``/api/v1/mediation/…`` (included once from governance/urls.py)."""

from django.urls import path

from mediation import api

urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="mediation-cases"),
    path("cases/<int:pk>/", api.CaseDetailView.as_view(), name="mediation-case"),
    path("cases/<int:pk>/parties/", api.CasePartiesView.as_view(), name="mediation-case-parties"),
    path("cases/<int:pk>/relations/", api.CaseRelationsView.as_view(), name="mediation-case-relations"),
    path(
        "cases/<int:pk>/relations/<int:relation_pk>/",
        api.CaseRelationView.as_view(),
        name="mediation-case-relation",
    ),
    path("cases/<int:pk>/timeline/", api.CaseTimelineView.as_view(), name="mediation-case-timeline"),
    path("cases/<int:pk>/assign/", api.CaseAssignView.as_view(), name="mediation-case-assign"),
    *[
        path(f"cases/<int:pk>/{move}/", api.CaseMoveView.as_view(move=move), name=f"mediation-case-{move}")
        for move in api.CASE_MOVES
    ],
    path("cases/<int:pk>/sessions/", api.CaseSessionsView.as_view(), name="mediation-case-sessions"),
    path("sessions/<int:pk>/hold/", api.SessionHoldView.as_view(), name="mediation-session-hold"),
    path("cases/<int:pk>/agreement/", api.AgreementView.as_view(), name="mediation-case-agreement"),
    path(
        "cases/<int:pk>/agreement/signatures/",
        api.AgreementSignaturesView.as_view(),
        name="mediation-case-agreement-signatures",
    ),
    path(
        "cases/<int:pk>/agreement/signatures/<int:signature_pk>/withdraw/",
        api.SignatureWithdrawView.as_view(),
        name="mediation-case-signature-withdraw",
    ),
    path("cases/<int:pk>/agreement/pdf/", api.AgreementPdfView.as_view(), name="mediation-case-agreement-pdf"),
    path("cases/<int:pk>/agreements/", api.AgreementListView.as_view(), name="mediation-case-agreements"),
    path(
        "cases/<int:pk>/agreements/<int:agreement_pk>/pdf/",
        api.AgreementPdfView.as_view(),
        name="mediation-case-agreement-round-pdf",
    ),
    path("cases/<int:pk>/follow-ups/", api.CaseFollowUpsView.as_view(), name="mediation-case-follow-ups"),
    path("follow-ups/<int:pk>/record/", api.FollowUpRecordView.as_view(), name="mediation-follow-up-record"),
    path("cases/<int:pk>/judicial-confirmation/", api.ConfirmationView.as_view(), name="mediation-confirmation"),
    path(
        "cases/<int:pk>/judicial-confirmation/decide/",
        api.ConfirmationDecideView.as_view(),
        name="mediation-confirmation-decide",
    ),
    path("events/<int:pk>/to-case/", api.EventToCaseView.as_view(), name="mediation-event-to-case"),
]
