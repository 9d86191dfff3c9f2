from django import forms
from django.contrib import admin, messages

from grids.geo import validate_polygon
from grids.models import Grid
from grids.services import grid_save


class GridAdminForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["code", "name", "area", "boundary", "households", "workers", "is_active"]

    def clean_boundary(self):
        return validate_polygon(self.cleaned_data["boundary"])


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    form = GridAdminForm
    list_display = ["code", "name", "area", "households", "is_active"]
    list_filter = ["is_active", "area"]
    search_fields = ["code", "name"]
    filter_horizontal = ["workers"]
    autocomplete_fields = ["area"]

    def save_model(self, request, obj, form, change):
        saved, warnings = grid_save(code=obj.code, name=obj.name, area=obj.area, boundary=obj.boundary,
                                    households=obj.households, grid=obj if change else None)
        obj.pk = saved.pk
        for warning in warnings:
            self.message_user(request, warning, messages.WARNING)
