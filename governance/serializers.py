"""Small input/output serializers of the core API. Lists never carry unmasked personal data."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance import extensions
from governance.models import Area, Department, Notification, Post, User


class TokenInput(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), max_length=150)
    password = serializers.CharField(
        label=_("密码"), max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


class AreaBriefOutput(serializers.ModelSerializer):
    """``name`` in the reader's language (Accept-Language), the Chinese name where there is no
    English one; so in every output of named data below."""

    name = serializers.CharField(source="localized_name", read_only=True)

    class Meta:
        model = Area
        fields = ["id", "name", "code", "level", "path"]


class AreaOutput(serializers.ModelSerializer):
    """``name`` in the reader's language; ``name_en`` as stored."""

    name = serializers.CharField(source="localized_name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Area
        fields = ["id", "name", "name_en", "code", "level", "level_display", "parent", "path", "depth"]


class AreaInput(serializers.Serializer):
    name = serializers.CharField(label=_("名称"), max_length=100)
    name_en = serializers.CharField(label=_("英文名称"), max_length=100, required=False, allow_blank=True)
    code = serializers.RegexField(
        r"^[A-Za-z0-9_-]+$",
        label=_("编码"),
        max_length=40,
        error_messages={"invalid": _("编码只能包含字母、数字、下划线和连字符。")},
    )
    level = serializers.ChoiceField(label=_("层级"), choices=Area.Level.choices)
    parent = serializers.IntegerField(label=_("上级区域"))


class DepartmentOutput(serializers.ModelSerializer):
    """``name`` in the reader's language; ``name_en`` as stored."""

    name = serializers.CharField(source="localized_name", read_only=True)
    area = AreaBriefOutput(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "name_en", "code", "kind", "kind_display", "area", "is_active"]


class PostOutput(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    area = AreaBriefOutput(read_only=True)
    department = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "role", "role_display", "title", "area", "department"]

    def get_department(self, post: Post) -> dict | None:
        if post.department is None:
            return None
        return {"id": post.department_id, "name": post.department.localized_name, "code": post.department.code}


class MeOutput(serializers.ModelSerializer):
    """The signed-in user about themself: their own contact details are not masked."""

    posts = PostOutput(many=True, source="active_posts")
    areas = AreaBriefOutput(many=True, source="jurisdiction_areas")
    roles = serializers.ListField(child=serializers.CharField(), source="role_list")
    language = serializers.CharField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "phone",
            "is_staff",
            "is_superuser",
            "roles",
            "posts",
            "areas",
            "language",
        ]

    def get_fields(self):
        """The core's fields plus those the apps registered (governance.extensions.register_me_field);
        the view puts their values in ``user.me_extra``."""
        fields = super().get_fields()
        for entry in extensions.me_fields():
            if entry.name in fields:
                raise ImproperlyConfigured(f"/me/ already has a field named {entry.name!r}")
            fields[entry.name] = entry.field(source=f"me_extra.{entry.name}", read_only=True)
        return fields


class NotificationOutput(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)
    # In the reader's language (Accept-Language / the language cookie), from the message key.
    title = serializers.CharField(source="display_title", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at", "is_read"]
