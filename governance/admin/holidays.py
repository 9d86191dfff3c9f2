"""Admin of the holiday schedule (节假日安排): entries checked, saved and deleted through the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance import services
from governance.admin.base import ServiceAdmin, add_service_error, adopt, run_action
from governance.models import CalendarAdjustment
from governance.workcalendar import unknown_years


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
