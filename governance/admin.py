"""Django admin for the core models, in Chinese.

The admin is one of the four doors: every save and every action calls the same service the pages
and the API call. A rule a service enforces is checked in the ModelForm's ``clean`` (so it shows
as a form error); a domain error that still escapes a save or an action becomes a message on the
page, never a 500. Ledger-like rows (audit entries, notifications) are view-only.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from governance import services
from governance.exceptions import DomainError
from governance.models import (
    Area,
    AuditEntry,
    CalendarAdjustment,
    Department,
    Notification,
    PartyOrganization,
    Post,
    User,
)
from governance.workcalendar import unknown_years

# --- Shared by every app's admin ------------------------------------------------------------


def error_detail(exc: Exception) -> str:
    """The human sentence of a ``DomainError`` or a Django ``ValidationError``."""
    if isinstance(exc, DomainError):
        return exc.detail
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc)


def run_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: Iterable[Model],
    label: str,
    fn: Callable[[Model], Any],
) -> int:
    """Run one admin action over the selected rows, each through ``fn`` (a service call).

    Every admin action that changes state goes through here, so a policy check added here holds
    for all of them. A row the service refuses is reported as an error message naming the row;
    the others go ahead. Returns how many rows were done.
    """
    done, opts = 0, modeladmin.model._meta
    for obj in queryset:
        try:
            fn(obj)
        except (DomainError, ValidationError) as exc:
            modeladmin.message_user(request, f"{obj}：{error_detail(exc)}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(label)s：%(n)d 条%(name)s。", "%(label)s：%(n)d 条%(name)s。", done)
            % {"label": label, "n": done, "name": opts.verbose_name if done == 1 else opts.verbose_name_plural},
            messages.SUCCESS,
        )
    return done


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: on its field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def adopt(obj: Model, saved: Model) -> None:
    """Make the admin's unsaved ``obj`` the row a service just created (for the log and redirect)."""
    obj.pk = saved.pk
    obj.refresh_from_db()
    obj._state.adding = False


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves call services: a domain error that gets past the form's checks
    (a race, a rule only the service knows) is shown as a message, and nothing is written."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, ValidationError) as exc:  # the view's transaction was rolled back
            self.message_user(request, error_detail(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ViewOnlyAdmin(admin.ModelAdmin):
    """Ledger-like rows: they can be read, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- People and posts -----------------------------------------------------------------------


class PostGrantForm(forms.ModelForm):
    """A new post: the service's placement rule is a form error, not a server error."""

    class Meta:
        model = Post
        fields = ["user", "role", "area", "department", "title"]

    def clean(self):
        cleaned = super().clean()
        if "role" in cleaned:
            try:
                services.post_check(
                    role=cleaned["role"], area=cleaned.get("area"), department=cleaned.get("department")
                )
            except ValidationError as exc:
                add_service_error(self, exc)
        return cleaned


class PostInline(admin.TabularInline):
    """A person's posts: existing ones are shown read-only (end them on the post page, so the
    audit trail records it); new rows are granted through ``post_assign``."""

    model = Post
    form = PostGrantForm
    extra = 0
    fields = ["role", "area", "department", "title", "is_active"]
    readonly_fields = ["is_active"]
    autocomplete_fields = ["area", "department"]
    can_delete = False
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(ServiceAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "masked_phone", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [PostInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "email", "phone", "id_number", "language")}),
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

    def save_model(self, request, obj, form, change):
        if change:
            services.user_update(
                user=User.objects.get(pk=obj.pk),
                username=obj.username,
                full_name=obj.full_name,
                email=obj.email,
                phone=obj.phone,
                id_number=obj.id_number,
                is_active=obj.is_active,
                is_staff=obj.is_staff,
                is_superuser=obj.is_superuser,
                language=obj.language,
                actor=request.user,
            )
            return
        created = services.user_create(
            username=obj.username,
            password=form.cleaned_data.get("password1") or None,
            full_name=obj.full_name,
            phone=obj.phone,
        )
        adopt(obj, created)

    def save_related(self, request, form, formsets, change):
        if change and "groups" in form.cleaned_data:
            services.user_set_permissions(
                user=form.instance,
                groups=form.cleaned_data["groups"],
                permissions=form.cleaned_data.get("user_permissions", []),
                actor=request.user,
            )
        else:
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Post:
            super().save_formset(request, form, formset, change)
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for post_form in formset.extra_forms:
            if not post_form.has_changed():
                continue
            data = post_form.cleaned_data
            post = services.post_assign(
                user=form.instance,
                role=data["role"],
                area=data.get("area"),
                department=data.get("department"),
                title=data.get("title", ""),
                actor=request.user,
            )
            formset.new_objects.append(post)


@admin.register(Post)
class PostAdmin(ServiceAdmin):
    """Posts are granted with ``post_assign`` and changed with ``post_update``, both audited.
    Who, which role and where are fixed once granted; a post is ended, not deleted."""

    list_display = ["user", "role", "area", "department", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "area__name"]
    autocomplete_fields = ["user", "area", "department"]
    actions = ["end_posts"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PostGrantForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return PostGrantForm.Meta.fields
        return ["user", "role", "area", "department", "title", "is_active", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "area", "department", "created_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            services.post_update(
                post=Post.objects.select_related("user", "area", "department").get(pk=obj.pk),
                title=obj.title,
                is_active=obj.is_active,
                actor=request.user,
            )
            return
        created = services.post_assign(
            user=obj.user,
            role=obj.role,
            area=obj.area,
            department=obj.department,
            title=obj.title,
            actor=request.user,
        )
        adopt(obj, created)

    @admin.action(description=_("结束所选岗位"), permissions=["change"])
    def end_posts(self, request, queryset):
        run_action(
            self,
            request,
            queryset.filter(is_active=True).select_related("user"),
            _("已结束"),
            lambda post: services.post_end(post=post, actor=request.user),
        )


# --- Areas, departments, party organisations ------------------------------------------------


@admin.register(Area)
class AreaAdmin(ServiceAdmin):
    list_display = ["name", "name_en", "code", "level", "parent", "path"]
    list_filter = ["level"]
    search_fields = ["name", "name_en", "code", "path"]
    fields = ["name", "name_en", "code", "level", "parent", "path", "depth", "created_at"]
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
                        add_service_error(self, exc)
                return cleaned

        return AreaAddForm

    def has_delete_permission(self, request, obj=None):
        return False  # every descendant's path, every post and grid hangs on it

    def save_model(self, request, obj, form, change):
        if change:
            services.area_rename(
                area=Area.objects.get(pk=obj.pk), name=obj.name, name_en=obj.name_en, actor=request.user
            )
            return
        created = services.area_create(
            name=obj.name,
            name_en=obj.name_en,
            code=obj.code,
            level=obj.level,
            parent=obj.parent,
            actor=request.user,
        )
        adopt(obj, created)


@admin.register(Department)
class DepartmentAdmin(ServiceAdmin):
    list_display = ["name", "name_en", "code", "kind", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_en", "code"]
    autocomplete_fields = ["area"]

    def get_fields(self, request, obj=None):
        # A new department starts active; it is switched off on its page (audited).
        return ["name", "name_en", "code", "kind", "area", "phone", *(["is_active"] if obj else [])]

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off instead: events, posts and categories point at it

    def save_model(self, request, obj, form, change):
        if change:
            services.department_update(
                department=Department.objects.get(pk=obj.pk),
                name=obj.name,
                name_en=obj.name_en,
                code=obj.code,
                kind=obj.kind,
                area=obj.area,
                phone=obj.phone,
                is_active=obj.is_active,
                actor=request.user,
            )
            return
        adopt(
            obj,
            services.department_create(
                name=obj.name, name_en=obj.name_en, code=obj.code, area=obj.area, kind=obj.kind, phone=obj.phone
            ),
        )


class PartyOrganizationForm(forms.ModelForm):
    class Meta:
        model = PartyOrganization
        fields = ["name", "name_en", "level", "area", "parent", "secretary"]

    def clean(self):
        cleaned = super().clean()
        if "level" in cleaned:
            try:
                services.party_organization_check(
                    level=cleaned["level"],
                    parent=cleaned.get("parent"),
                    org=self.instance if self.instance.pk else None,
                )
            except ValidationError as exc:
                add_service_error(self, exc)
        return cleaned


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ServiceAdmin):
    form = PartyOrganizationForm
    list_display = ["name", "name_en", "level", "area", "parent", "secretary"]
    list_filter = ["level"]
    search_fields = ["name", "name_en"]
    autocomplete_fields = ["area", "parent", "secretary"]

    def save_model(self, request, obj, form, change):
        values = {
            "name": obj.name,
            "name_en": obj.name_en,
            "level": obj.level,
            "area": obj.area,
            "parent": obj.parent,
            "secretary": obj.secretary,
        }
        if change:
            services.party_organization_update(
                org=PartyOrganization.objects.get(pk=obj.pk), actor=request.user, **values
            )
            return
        adopt(obj, services.party_organization_create(**values))


# --- Holiday schedule -----------------------------------------------------------------------


class CalendarAdjustmentForm(forms.ModelForm):
    class Meta:
        model = CalendarAdjustment
        fields = ["name", "kind", "first_day", "last_day"]

    def clean(self):
        cleaned = super().clean()
        if {"name", "kind", "first_day", "last_day"} <= cleaned.keys():
            try:
                services.calendar_adjustment_check(
                    name=cleaned["name"],
                    kind=cleaned["kind"],
                    first_day=cleaned["first_day"],
                    last_day=cleaned["last_day"],
                    adjustment=self.instance if self.instance.pk else None,
                )
            except ValidationError as exc:
                add_service_error(self, exc)
        return cleaned


@admin.register(CalendarAdjustment)
class CalendarAdjustmentAdmin(ServiceAdmin):
    """The yearly 节假日安排: entered here the day the State Council publishes it."""

    form = CalendarAdjustmentForm
    list_display = ["name", "kind", "first_day", "last_day"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "first_day"
    actions = ["delete_selected_through_service"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletions are audited: through the service
        return actions

    def changelist_view(self, request, extra_context=None):
        missing = unknown_years(today=timezone.localdate())
        if missing and request.method == "GET":
            self.message_user(
                request,
                _("%(years)s 年的节假日安排尚未录入（所用日历组件也没有）：按工作时间计时的类别暂按周一至周五计算。")
                % {"years": "、".join(str(y) for y in missing)},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        values = {k: form.cleaned_data[k] for k in ("name", "kind", "first_day", "last_day")}
        saved = services.calendar_adjustment_save(
            actor=request.user,
            adjustment=CalendarAdjustment.objects.get(pk=obj.pk) if change else None,
            request=request,
            **values,
        )
        adopt(obj, saved)

    def delete_model(self, request, obj):
        services.calendar_adjustment_delete(actor=request.user, adjustment=obj, request=request)

    @admin.action(description=_("删除所选节假日安排"), permissions=["delete"])
    def delete_selected_through_service(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            _("已删除"),
            lambda row: services.calendar_adjustment_delete(actor=request.user, adjustment=row, request=request),
        )


# --- Ledger-like rows -----------------------------------------------------------------------


@admin.register(Notification)
class NotificationAdmin(ViewOnlyAdmin):
    """Sent is sent: the inbox and the outbox are read here, never edited."""

    list_display = ["title", "recipient", "created_at", "read_at", "delivered_at"]
    list_filter = ["by_email", "by_sms"]
    search_fields = ["title", "recipient__username", "idempotency_key"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnlyAdmin):
    """Append-only: nothing here can be added, changed or deleted."""

    list_display = ["created_at", "actor", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor__username", "object_id"]
    date_hierarchy = "created_at"
