"""Admin of people and their posts: saves through the user and post services, audited."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from governance import services
from governance.admin.base import ServiceAdmin, add_service_error, adopt, run_action
from governance.models import Post, User


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
