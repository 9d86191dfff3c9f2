"""URL wiring of the whole portal: core pages, each app's pages, the API and its docs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter

from governance import api, views
from governance.permissions import IsPortalUser, any_portal_user


class PortalAPIRootView(APIRootView):
    """The index of /api/v1/: for signed-in users, like everything else."""

    permission_classes = [IsPortalUser]


router = DefaultRouter()
router.APIRootView = PortalAPIRootView
router.register("areas", api.AreaViewSet, basename="area")
router.register("departments", api.DepartmentViewSet, basename="department")
router.register("notifications", api.NotificationViewSet, basename="notification")

admin.site.site_header = _("社区治理门户 · 后台管理")
admin.site.site_title = _("社区治理门户")
admin.site.index_title = _("后台管理")

api_v1 = [
    path("auth/token/", api.TokenObtainView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("", include(router.urls)),
    path("", include("grids.api_urls")),
    path("consultation/", include("governance.consultation.api_urls")),
    path("", include("partners.api_urls")),
    path("mediation/", include("mediation.api_urls")),
]

urlpatterns = [
    path("", views.home_view, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", any_portal_user(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("inbox/<int:pk>/read/", views.notification_read_view, name="notification_read"),
    path("inbox/read-all/", views.notifications_read_all_view, name="notifications_read_all"),
    path("i18n/setlang/", views.language_switch_view, name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("admin/login/", views.admin_login_view, name="admin_login"),  # before the admin's own
    path("admin/", admin.site.urls),
    path("", include("grids.urls")),
    path("consultation/", include("governance.consultation.urls")),
    path("partners/", include("partners.urls")),
    path("mediation/", include("mediation.urls")),
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include("grids.open311_urls")),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/docs/", login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]

handler403 = "governance.views.error_403"
handler404 = "governance.views.error_404"
handler500 = "governance.views.error_500"

# /media/ is never served directly, DEBUG or not: every photo goes through a view that checks who
# may see it (grids:event_photo). Uploaded files are not static files.
