"""Django admin for the core models, in Chinese. Writes go through the same services."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from governance import services
from governance.models import Area, AuditEntry, Department, Notification, PartyOrganization, Post, User


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    fields = ["role", "area", "department", "title", "is_active"]
    autocomplete_fields = ["area", "department"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "masked_phone", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    inlines = [PostInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "email", "phone", "id_number")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "phone", "password1", "password2")}),
    )

    @admin.display(description=_("手机号码"))
    def masked_phone(self, obj: User) -> str:
        return obj.phone_masked

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening a person's record shows their full contact details: that read is audited.
        if request.method == "GET" and object_id:
            person = self.get_object(request, object_id)
            if person is not None and (person.phone or person.id_number):
                services.person_contact_read(actor=request.user, person=person, request=request)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "path"]
    list_filter = ["level"]
    search_fields = ["name", "code", "path"]
    readonly_fields = ["path", "depth", "created_at"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # The code is part of every descendant's path: fixed once the area exists.
        return [*self.readonly_fields, "code", "parent", "level"] if obj else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form

        class AreaAddForm(form):
            def clean(self):
                # The service's placement rule, reported on the form instead of as a server error.
                cleaned = super().clean()
                if "level" in cleaned:
                    try:
                        services.area_check_placement(level=cleaned["level"], parent=cleaned.get("parent"))
                    except ValidationError as exc:
                        self.add_error(None, exc)
                return cleaned

        return AreaAddForm

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created = services.area_create(
                name=obj.name, code=obj.code, level=obj.level, parent=obj.parent, actor=request.user
            )
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            raise
        obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["area"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "area", "department", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "area__name"]
    autocomplete_fields = ["user", "area", "department"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "area", "parent", "secretary"]
    list_filter = ["level"]
    search_fields = ["name"]
    autocomplete_fields = ["area", "parent", "secretary"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at", "delivered_at"]
    list_filter = ["by_email", "by_sms"]
    search_fields = ["title", "recipient__username", "idempotency_key"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Append-only: nothing here can be added, changed or deleted."""

    list_display = ["created_at", "actor", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor__username", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
