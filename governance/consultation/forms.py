"""Forms of the consultation pages: input shape only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.consultation.models import AgendaItem, Group, Resolution, Seat, ServiceItem, Suggestion
from governance.models import Area, Department, PartyOrganization, User


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=120)
    organization = forms.ModelChoiceField(label=_("召集党组织"), queryset=PartyOrganization.objects.none())
    area = forms.ModelChoiceField(label=_("小区/社区"), queryset=Area.objects.none())
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeInput())
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    video_url = forms.URLField(label=_("视频会议链接"), required=False, assume_scheme="https")

    def __init__(self, *args, organizations, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["area"].queryset = areas


class InviteForm(forms.Form):
    user = forms.ModelChoiceField(label=_("参会人"), queryset=User.objects.none())
    group = forms.ChoiceField(label=_("参会方"), choices=Group.choices)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people


class SignInForm(forms.Form):
    code = forms.CharField(
        label=_("签到码"),
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}),
        help_text=_("输入会场显示的6位签到码。"),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


def _top_label(item: AgendaItem) -> str:
    """A top-level item as a parent choice: its number is its order ("2 加装电梯")."""
    return f"{item.order} {item.title}"


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=120, required=False)
    suggestion = forms.ModelChoiceField(
        label=_("来自居民议题"), queryset=Suggestion.objects.none(), required=False, empty_label=_("（不关联）")
    )
    parent = forms.ModelChoiceField(
        label=_("上级议程"), queryset=AgendaItem.objects.none(), required=False, empty_label=_("（顶级议程）")
    )
    is_major = forms.BooleanField(label=_("重大事项（须三分之二通过）"), required=False)
    responsible_department = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Department.objects.none(), required=False, empty_label=_("（召集方）")
    )
    due_date = forms.DateField(label=_("办结期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agenda_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, suggestions, departments, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggestion"].queryset = suggestions
        self.fields["responsible_department"].queryset = departments
        self.fields["parent"].queryset = parents if parents is not None else AgendaItem.objects.none()
        self.fields["parent"].label_from_instance = _top_label

    def clean(self):
        data = super().clean()
        if not (data.get("title") or "").strip() and not data.get("suggestion"):
            raise forms.ValidationError(_("请填写议题，或选择一条居民议题。"))
        return data


class AgendaMoveForm(forms.Form):
    """Move an item: up / down among its siblings (the page's buttons), or to a place under another item."""

    position = forms.IntegerField(label=_("位置"), min_value=1, max_value=1000)
    parent = forms.ModelChoiceField(
        label=_("上级议程"), queryset=AgendaItem.objects.none(), required=False, empty_label=_("（顶级议程）")
    )
    agenda_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = _top_label


class VoteForm(forms.Form):
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0, max_value=10000)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0, max_value=10000)
    abstentions = forms.IntegerField(label=_("弃权"), min_value=0, max_value=10000)
    notes = forms.CharField(label=_("讨论记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100)
    note = forms.CharField(label=_("进展说明"), max_length=300, required=False)


class SuggestionForm(forms.Form):
    area = forms.ModelChoiceField(label=_("小区/社区"), queryset=Area.objects.none())
    title = forms.CharField(label=_("议题"), max_length=120)
    body = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[
            (5, _("5 分 · 很满意")),
            (4, _("4 分 · 满意")),
            (3, _("3 分 · 一般")),
            (2, _("2 分 · 不满意")),
            (1, _("1 分 · 很不满意")),
        ],
    )
    comment = forms.CharField(label=_("意见（选填）"), max_length=300, required=False)


class MinutesReplyForm(forms.Form):
    objection = forms.CharField(
        label=_("异议（如有）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SubtaskForm(forms.Form):
    title = forms.CharField(label=_("子任务"), max_length=120)
    due_date = forms.DateField(label=_("办结期限"), widget=forms.DateInput(attrs={"type": "date"}))


class ServiceItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ServiceItem.Kind.choices)
    name = forms.CharField(label=_("服务项目"), max_length=60)
    standard = forms.CharField(label=_("服务标准"), max_length=200)
    frequency = forms.CharField(label=_("频次"), max_length=60)
    provider = forms.ModelChoiceField(label=_("服务提供方"), queryset=Department.objects.none())
    resolution = forms.ModelChoiceField(
        label=_("来源决议"), queryset=Resolution.objects.none(), required=False, empty_label=_("（无）")
    )

    def __init__(self, *args, providers, resolutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["resolution"].queryset = resolutions


class FeePlanForm(forms.Form):
    period_start = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    subsidy = forms.DecimalField(label=_("政府补贴（元）"), max_digits=12, decimal_places=2, min_value=0)
    resident_fees = forms.DecimalField(label=_("居民缴费（元）"), max_digits=12, decimal_places=2, min_value=0)
    public_income = forms.DecimalField(label=_("公共收益（元）"), max_digits=12, decimal_places=2, min_value=0)
    total = forms.DecimalField(label=_("总额（元）"), max_digits=12, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class SeatForm(forms.Form):
    """Seat a person in the compound's party organisation, owners' committee or property company."""

    person = forms.ModelChoiceField(label=_("人员"), queryset=User.objects.none())
    body = forms.ChoiceField(label=_("组织类别"), choices=Seat.Body.choices)
    position = forms.ChoiceField(label=_("职务"), choices=Seat.Position.choices)
    organization = forms.ModelChoiceField(
        label=_("党组织"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        empty_label=_("（任职党组织时选择）"),
    )
    department = forms.ModelChoiceField(
        label=_("物业公司"), queryset=Department.objects.none(), required=False, empty_label=_("（任职物业公司时选择）")
    )
    started_on = forms.DateField(label=_("任职日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people, organizations, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda user: user.display_name
        self.fields["organization"].queryset = organizations
        self.fields["department"].queryset = companies


class VolunteerForm(forms.Form):
    """Assign a 红色管家 volunteer to a building of the compound."""

    person = forms.ModelChoiceField(label=_("志愿者"), queryset=User.objects.none())
    building = forms.ModelChoiceField(label=_("楼栋"), queryset=Area.objects.none())
    duties = forms.CharField(label=_("职责"), max_length=120, required=False, help_text=_("默认：巡查、调解、政策宣传"))
    since = forms.DateField(label=_("上岗日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda user: user.display_name
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda area: area.name
