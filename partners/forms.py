"""Forms of the partners pages. They check the shape of the input; every rule is the services'."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from governance.models import Area
from partners.models import MAX_RECORD_PHOTOS, EarningRule, Partner

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/*"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by the service (type, size, pixels)."""

    def __init__(self, *args, max_files: int = MAX_RECORD_PHOTOS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": PHOTO_ACCEPT, "capture": "environment", "multiple": True})
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


class ApplyForm(forms.Form):
    community = forms.ModelChoiceField(
        label=gettext_lazy("所属社区"),
        queryset=Area.objects.filter(level=Area.Level.COMMUNITY).order_by("path"),
        error_messages={"required": gettext_lazy("请选择社区。")},
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=Partner.Kind.choices)
    sub_kind = forms.ChoiceField(label=gettext_lazy("细分类型"), choices=Partner.SubKind.choices)
    form = forms.ChoiceField(label=gettext_lazy("主体"), choices=Partner.Form.choices)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=60, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    skills = forms.CharField(label=gettext_lazy("技能特长"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    resources = forms.CharField(
        label=gettext_lazy("可提供资源"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ServiceRecordForm(forms.Form):
    rule = forms.ModelChoiceField(
        label=gettext_lazy("服务项目"),
        queryset=EarningRule.objects.none(),
        error_messages={"required": gettext_lazy("请选择服务项目。")},
    )
    served_on = forms.DateField(
        label=gettext_lazy("服务日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    hours = forms.DecimalField(
        label=gettext_lazy("时长（小时）"), min_value=0, max_digits=5, decimal_places=1, required=False, initial=1
    )
    beneficiaries = forms.IntegerField(label=gettext_lazy("受益人数"), min_value=0, required=False, initial=0)
    description = forms.CharField(
        label=gettext_lazy("服务内容"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(
        label=gettext_lazy("现场照片"),
        required=False,
        help_text=gettext_lazy("可拍照或从相册选择，最多 6 张（JPEG、PNG、WebP），每张不超过 5 MB。"),
    )
    # The photos kept from a submit sent back (governance.uploads.pending_keep).
    pending_photos = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    drop_pending = forms.BooleanField(label=gettext_lazy("不要已保留的照片"), required=False)

    def __init__(self, *args, partner: Partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = EarningRule.objects.filter(community=partner.community, is_active=True)
        self.fields["rule"].label_from_instance = lambda r: (
            f"{r.activity} · {r.points}" + (gettext_lazy(" 分/小时") if r.per_hour else gettext_lazy(" 分"))
        )
        self.fields["served_on"].initial = timezone.localdate()


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("数量"), min_value=1, max_value=99, initial=1)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("decline", "decline"), ("suspend", "suspend")])
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=300, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("不通过原因"), max_length=300, required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("兑换码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}),
    )
