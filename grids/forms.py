"""Forms of the grid pages. They check the shape of the input; every rule is the services' job."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids import geo
from grids.models import Event, EventCategory

MAX_PHOTOS = 6  # the API's limit too (EventInput.photos max_length)
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/*"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


def crs_field() -> forms.ChoiceField:
    """The coordinate system of lon/lat: WGS-84 (GPS, the default), GCJ-02 or BD-09 (Chinese map SDKs).
    The map page sets it to the tiles' system when a point is picked on the map."""
    return forms.ChoiceField(
        label=gettext_lazy("坐标系"),
        choices=geo.CRS_CHOICES,
        required=False,
        initial=geo.WGS84,
        widget=forms.HiddenInput(attrs={"data-crs": ""}),
    )


class MultipleFileField(forms.FileField):
    """Several files in one input. Each is checked by the service (type, size, content)."""

    def __init__(self, *args, max_files: int = MAX_PHOTOS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": PHOTO_ACCEPT, "capture": "environment", "multiple": True}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.max_files:
            raise ValidationError(
                gettext_lazy("最多上传 %(n)d 张照片。"), code="too_many_files", params={"n": self.max_files}
            )
        single = super().clean
        return [single(f, initial) for f in files]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: EventCategory) -> str:
        return obj.localized_name


def category_field(*, required: bool, empty_label: str | None, reportable_only: bool = False) -> CategoryChoiceField:
    """``reportable_only``: the people's report form, without the categories only devices raise."""
    categories = EventCategory.objects.filter(is_active=True)
    if reportable_only:
        categories = categories.filter(reportable_by_people=True)
    return CategoryChoiceField(
        label=gettext_lazy("事件类别"),
        queryset=categories.order_by("group", "service_code"),
        required=required,
        empty_label=empty_label,
        error_messages={
            "invalid_choice": gettext_lazy("该事件类别不存在或已停用，请重新选择。"),
            "required": gettext_lazy("请选择事件类别。"),
        },
    )


class EventReportForm(forms.Form):
    """The report form. ``lon``/``lat`` are optional here: a missing location is the service's error."""

    category = category_field(
        required=False, empty_label=gettext_lazy("不确定（由工作人员确定类别）"), reportable_only=True
    )
    description = forms.CharField(
        label=gettext_lazy("问题描述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": gettext_lazy("发生了什么？例如：3号楼北侧井盖缺失")}),
        error_messages={"required": gettext_lazy("请描述发生了什么。")},
    )
    address = forms.CharField(
        label=gettext_lazy("地址"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("例如：东升花园3号楼北侧"), "autocomplete": "off"}),
    )
    lon = forms.FloatField(
        label=gettext_lazy("经度"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-lon": ""}),
    )
    lat = forms.FloatField(
        label=gettext_lazy("纬度"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-lat": ""}),
    )
    crs = crs_field()
    photos = MultipleFileField(
        label=gettext_lazy("现场照片"),
        required=False,
        help_text=gettext_lazy(
            "可拍照或从相册选择，最多 6 张（JPEG、PNG、WebP）。照片会先在手机上压缩再上传，每张不超过 5 MB。"
        ),
    )
    # The photos kept from a submit sent back (a missing field, the duplicate check): grids/views/_pending.py.
    pending_photos = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    drop_pending = forms.BooleanField(label=gettext_lazy("不要已保留的照片"), required=False)
    link_patrol = forms.BooleanField(label=gettext_lazy("作为本次巡查的发现"), required=False)
    source = forms.ChoiceField(
        label=gettext_lazy("来源"),
        required=False,
        choices=[
            (Event.Source.RESIDENT, Event.Source.RESIDENT.label),
            (Event.Source.HOTLINE, Event.Source.HOTLINE.label),
        ],
    )
    reporter_name = forms.CharField(label=gettext_lazy("联系人"), max_length=60, required=False)
    reporter_phone = forms.RegexField(
        label=gettext_lazy("联系电话"),
        regex=r"^1[3-9]\d{9}$",
        required=False,
        error_messages={"invalid": gettext_lazy("请输入11位手机号码。")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    confirm_new = forms.BooleanField(label=gettext_lazy("确认是新问题，继续上报"), required=False)

    def __init__(self, *args, patrol=None, for_staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.patrol = patrol
        self.for_staff = for_staff
        if patrol is None:
            del self.fields["link_patrol"]
        if not for_staff:
            for name in ("source", "reporter_name", "reporter_phone"):
                del self.fields[name]

    def clean(self):
        """A missing location is reported with the other missing fields on the first submit (not
        after the description is fixed); the coordinates are stored in WGS-84."""
        data = super().clean()
        lon, lat = data.get("lon"), data.get("lat")
        if lon is None and lat is None and "lon" not in self.errors and "lat" not in self.errors:
            self.add_error("lon", _("请提供事件位置（经纬度）。"))
        elif (lon is None) != (lat is None) and "lon" not in self.errors and "lat" not in self.errors:
            self.add_error("lon", _("经度和纬度需要同时填写。"))
        elif lon is not None and lat is not None:
            data["lon"], data["lat"] = geo.to_wgs84(lon, lat, data.get("crs") or geo.WGS84)
        return data


class PatrolStartForm(forms.Form):
    grid = forms.ModelChoiceField(label=gettext_lazy("巡查网格"), queryset=None, empty_label=None)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids
        self.fields["grid"].error_messages["invalid_choice"] = gettext_lazy("请选择您负责的网格。")


class PatrolFinishForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("巡查记录"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy("本次巡查情况（可不填）")}),
    )
    points = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-patrol-points": ""}))


# --- Event actions --------------------------------------------------------------------------


class SeenStatusMixin(forms.Form):
    """The status the person saw when they pressed the button, to explain a refusal."""

    seen_status = forms.ChoiceField(choices=Event.Status.choices, required=False, widget=forms.HiddenInput)


class NoteForm(SeenStatusMixin):
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": gettext_lazy("可不填")}),
    )


class AcceptForm(NoteForm):
    category = category_field(required=False, empty_label=gettext_lazy("请选择事件类别"))


class RejectForm(SeenStatusMixin):
    reason = forms.CharField(
        label=gettext_lazy("不予受理原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写不予受理的原因。")},
    )


class ReasonForm(SeenStatusMixin):
    """Return (退回), withdraw (撤销): a reason is required and goes on the timeline."""

    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写原因。")},
    )


class DispatchForm(NoteForm):
    """``department`` empty = the dispatch rules' choice, named in the first option."""

    department = forms.ModelChoiceField(label=gettext_lazy("处置单位"), queryset=None, required=False)

    def __init__(self, *args, departments, suggested=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        field.queryset = departments
        field.empty_label = (
            _("%(name)s（按派单规则）") % {"name": suggested.localized_name} if suggested else _("请选择处置单位")
        )
        field.error_messages["invalid_choice"] = _("该处置单位不存在或不在您的管辖范围内。")


class RedispatchForm(ReasonForm):
    """Re-dispatch (改派): another unit, and why."""

    department = forms.ModelChoiceField(label=gettext_lazy("改派至"), queryset=None)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = _("请选择处置单位")
        self.fields["department"].error_messages["invalid_choice"] = _("该处置单位不存在或不在您的管辖范围内。")
        self.fields["department"].error_messages["required"] = _("请选择改派的处置单位。")


class ResolveForm(SeenStatusMixin):
    resolution = forms.CharField(
        label=gettext_lazy("处置结果"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy("做了什么，现场现在怎样")}),
        error_messages={"required": gettext_lazy("请填写处置结果。")},
    )
    photos = MultipleFileField(
        label=gettext_lazy("处置后照片"),
        required=False,
        help_text=gettext_lazy("最多 6 张，每张不超过 5 MB。"),
    )


# --- Lists, tracking, scores ----------------------------------------------------------------


OPEN = ""
ALL = "all"


class QueueFilterForm(forms.Form):
    """What the queue's filter bar shows; the filtering itself is EventFilter's (selectors.event_list)."""

    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("类别"), required=False)
    grid = forms.ChoiceField(label=gettext_lazy("网格"), required=False)
    level = forms.ChoiceField(label=gettext_lazy("督办层级"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("只看已超时"), required=False)
    due_soon = forms.BooleanField(label=gettext_lazy("只看即将到期"), required=False)
    q = forms.CharField(
        label=gettext_lazy("查询编号或关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args, categories, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (OPEN, _("未办结")),
            *Event.Status.choices,
            (ALL, _("全部状态")),
        ]
        self.fields["category"].choices = [
            ("", _("全部类别")),
            *((c.service_code, c.localized_name) for c in categories),
        ]
        self.fields["grid"].choices = [("", _("全部网格")), *((g.code, g.localized_name) for g in grids)]
        self.fields["level"].choices = [("", _("全部层级")), *((str(v), label) for v, label in Event.Level.choices)]


class TrackLookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("查询编号"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "maxlength": 16}
        ),
        error_messages={"required": gettext_lazy("请输入查询编号。")},
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("满意度评分"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择 1 到 5 分。"),
            "invalid_choice": gettext_lazy("请选择 1 到 5 分。"),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("意见（可不填）"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MonthForm(forms.Form):
    month = forms.ChoiceField(label=gettext_lazy("月份"), required=False)

    def __init__(self, *args, months: list[date], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [
            (m.strftime("%Y-%m"), _("%(y)d年%(m)d月") % {"y": m.year, "m": m.month}) for m in months
        ]
