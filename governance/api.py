"""Core API: token, me, areas, departments, notifications. Validate → service → serialize."""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import extensions, selectors, services
from governance.exceptions import DomainError
from governance.models import Area, AuditEntry, Department, Notification, Role
from governance.permissions import HasRole, IsPortalUser
from governance.schema import ErrorOutput
from governance.serializers import (
    AreaInput,
    AreaOutput,
    DepartmentOutput,
    MeOutput,
    NotificationOutput,
    TokenInput,
    TokenOutput,
)
from governance.throttles import TokenRateThrottle


class LockedOut(DomainError):
    code = "locked_out"
    status_code = status.HTTP_429_TOO_MANY_REQUESTS


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status_code = status.HTTP_400_BAD_REQUEST


class TokenObtainView(APIView):
    """``POST {"username", "password"}`` → ``{"token"}``; same lockout as the login page."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TokenRateThrottle]  # per client IP: settings.RATE_LIMITS["token"]

    @extend_schema(request=TokenInput, responses={200: TokenOutput, 429: ErrorOutput}, summary="获取访问令牌")
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(django_request, **data.validated_data)
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise LockedOut(_("登录失败次数过多，账号已锁定15分钟，请稍后再试。"))
            raise InvalidCredentials(_("用户名或密码不正确。"))
        if not user.is_active:
            raise InvalidCredentials(_("该账号已停用。"))
        # A token sign-in is a sign-in: django-axes resets the failure count and last_login is set.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        services.audit_record(
            actor=user, action=AuditEntry.Action.LOGIN, obj=user, request=django_request, changes={"via": "api_token"}
        )
        return Response({"token": token.key})


class MeView(APIView):
    permission_classes = [IsPortalUser]

    @extend_schema(responses=MeOutput, summary="当前用户、岗位与管辖区域")
    def get(self, request):
        user = request.user
        posts = list(selectors.user_active_posts(user=user))
        paths = selectors.jurisdiction_paths(user=user)
        user.active_posts = posts
        user.role_list = sorted({p.role for p in posts})
        user.jurisdiction_areas = (
            list(selectors.visible_areas(user=user).filter(path__in=paths))
            if paths is not None
            else list(selectors.visible_areas(user=user).filter(depth=0))
        )
        user.language = translation.get_language()
        user.me_extra = extensions.me_values(user)  # fields the apps add (governance.extensions)
        return Response(MeOutput(user).data)


class AreaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Areas under the user's jurisdiction; staff and admins add areas inside it."""

    queryset = Area.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = AreaOutput
    filterset_fields = ["level", "parent"]

    writer_roles = frozenset({Role.COMMUNITY_STAFF, Role.STREET_SUPERVISOR, Role.ADMIN})

    def get_permissions(self):
        if self.action == "create":
            return [HasRole(*self.writer_roles)()]
        return [IsPortalUser()]

    def get_queryset(self):
        return selectors.visible_areas(user=self.request.user)

    def get_object(self):
        return selectors.area_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=AreaInput, responses={201: AreaOutput}, summary="新增下级区域")
    def create(self, request):
        data = AreaInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent_id = values.pop("parent")
        # Only the areas of the posts that grant the right to add areas: a grid-worker post elsewhere does not.
        parent = selectors.visible_areas(user=request.user, roles=set(self.writer_roles)).filter(pk=parent_id).first()
        if parent is None:
            raise DomainError(
                _("上级区域不存在，或不在您的管辖范围内。"),
                code="invalid",
                fields={"parent": [_("区域 %(id)s 不存在或不在您的管辖范围内。") % {"id": parent_id}]},
            )
        area = services.area_create(parent=parent, actor=request.user, **values)
        return Response(AreaOutput(area).data, status=status.HTTP_201_CREATED)


class DepartmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Department.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = DepartmentOutput
    permission_classes = [IsPortalUser]
    filterset_fields = ["kind", "area"]

    def get_queryset(self):
        return selectors.visible_departments(user=self.request.user)


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own inbox."""

    queryset = Notification.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = NotificationOutput
    permission_classes = [IsPortalUser]
    filterset_fields = {"read_at": ["isnull"]}

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)

    @extend_schema(request=None, responses=NotificationOutput, summary="标记为已读")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(NotificationOutput(notification).data)

    @extend_schema(request=None, responses={200: dict}, summary="全部标记为已读")
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"updated": services.notification_mark_all_read(user=request.user)})
