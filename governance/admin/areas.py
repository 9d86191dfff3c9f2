"""Admin of areas, departments and party organisations: the services' placement rules as form errors."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from governance import services
from governance.admin.base import ServiceAdmin, add_service_error, adopt
from governance.models import Area, Department, PartyOrganization


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
                name=obj.name,
                name_en=obj.name_en,
                code=obj.code,
                area=obj.area,
                kind=obj.kind,
                phone=obj.phone,
                actor=request.user,
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
        adopt(obj, services.party_organization_create(**values, actor=request.user))
