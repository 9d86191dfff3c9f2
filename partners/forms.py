"""Forms of the partners pages. They check the shape of the input; every rule is the services'."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from governance.models import Area
from partners.models import MAX_RECORD_PHOTOS, EarningRule, Need, Partner, Reward

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


# --- Staff forms -------------------------------------------------------------------------------


class RuleForm(forms.Form):
    activity = forms.CharField(label=gettext_lazy("服务项目"), max_length=60)
    points = forms.IntegerField(label=gettext_lazy("积分"), min_value=1)
    per_hour = forms.BooleanField(label=gettext_lazy("按小时计分"), required=False)
    monthly_cap = forms.IntegerField(
        label=gettext_lazy("每人每月上限"),
        min_value=1,
        required=False,
        help_text=gettext_lazy("留空表示不设上限。"),
    )
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)


class RewardForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=Reward.Kind.choices)
    cost = forms.IntegerField(label=gettext_lazy("所需积分"), min_value=1)
    stock = forms.IntegerField(
        label=gettext_lazy("库存"), min_value=0, required=False, help_text=gettext_lazy("留空表示不限量")
    )
    per_partner_limit = forms.IntegerField(label=gettext_lazy("每人限兑"), min_value=1, required=False)
    valid_from = forms.DateField(
        label=gettext_lazy("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    offered_by = forms.ModelChoiceField(label=gettext_lazy("提供商户"), queryset=Partner.objects.none(), required=False)
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, community: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offered_by"].queryset = Partner.objects.filter(
            community=community, kind=Partner.Kind.RESOURCE, status=Partner.Status.ACTIVE
        ).order_by("name")


class RestockForm(forms.Form):
    add = forms.IntegerField(label=gettext_lazy("补充数量"), min_value=1, max_value=100000)


class ProjectForm(forms.Form):
    need = forms.ModelChoiceField(label=gettext_lazy("来源需求"), queryset=Need.objects.none(), required=False)
    title = forms.CharField(label=gettext_lazy("项目名称"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    skills = forms.CharField(label=gettext_lazy("所需技能"), max_length=200, required=False)
    slots = forms.IntegerField(label=gettext_lazy("名额"), min_value=1, max_value=1000)
    points_per_slot = forms.IntegerField(label=gettext_lazy("每人积分"), min_value=1, max_value=100000)
    starts_on = forms.DateField(
        label=gettext_lazy("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, community: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = Need.objects.filter(community=community, status=Need.Status.OPEN)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", gettext_lazy("结束日期不能早于开始日期。"))
        return data


class AttendanceForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("done", "done"), ("no_show", "no_show")])
