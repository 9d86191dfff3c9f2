"""HTML forms of the mediation pages; the rules are the services' (errors come back from them)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mediation.models import AgreementSignature, Case, FollowUp, Party, Session, SessionNote


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CaseForm(forms.Form):
    type = forms.ChoiceField(label=_("纠纷类型"), choices=Case.Type.choices)
    subtype = forms.CharField(label=_("细分类型（选填）"), max_length=40, required=False)
    description = forms.CharField(label=_("纠纷简述"), widget=forms.Textarea(attrs={"rows": 4}))
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=Case.Risk.choices, initial=Case.Risk.LOW)
    risk_reason = forms.CharField(label=_("风险说明（较大、重大时必填）"), max_length=300, required=False)
    amount = forms.DecimalField(label=_("涉及金额（元，选填）"), required=False, min_value=0, decimal_places=2)
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=60, required=False)
    applicant_phone = forms.CharField(label=_("申请人电话"), max_length=20, required=False)
    respondent_name = forms.CharField(label=_("被申请人姓名"), max_length=60, required=False)
    respondent_phone = forms.CharField(label=_("被申请人电话"), max_length=20, required=False)

    def parties(self) -> list[dict]:
        d = self.cleaned_data
        rows = []
        for role, prefix in ((Party.Role.APPLICANT, "applicant"), (Party.Role.RESPONDENT, "respondent")):
            if d.get(f"{prefix}_name"):
                rows.append({"role": role, "name": d[f"{prefix}_name"], "phone": d.get(f"{prefix}_phone", "")})
        return rows


class CaseNewForm(CaseForm):
    source = forms.ChoiceField(
        label=_("来源"),
        choices=[
            (v, label) for v, label in Case.Source.choices if v not in (Case.Source.GRID_EVENT, Case.Source.ONLINE)
        ],
        initial=Case.Source.WALK_IN,
    )
    area = forms.ModelChoiceField(label=_("发生地"), queryset=None, empty_label=None)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明（选填）"), required=False, max_length=300)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300)


class ReferForm(forms.Form):
    to = forms.ChoiceField(label=_("移交去向"), choices=Case.ReferredTo.choices)
    note = forms.CharField(label=_("说明（选填）"), required=False, max_length=300)


class EscalateForm(forms.Form):
    tried = forms.CharField(label=_("已采取的调解措施"), widget=forms.Textarea(attrs={"rows": 3}))
    assessment = forms.CharField(label=_("调解员评估意见"), widget=forms.Textarea(attrs={"rows": 3}))
    shareable_notes = forms.CharField(
        label=_("可共享的记录（选填）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    keep = forms.ModelMultipleChoiceField(
        label=_("留任为协办调解员（选填）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("未留任的本级调解员移交后仍可查看本案，但不能再办理。"),
    )

    def __init__(self, *args, mediators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = mediators
        self.fields["keep"].label_from_instance = lambda u: u.display_name


def _mediator_label(user) -> str:
    profile = getattr(user, "mediator_profile", None) if hasattr(user, "mediator_profile") else None
    kind = f" · {profile.get_kind_display()}" if profile else ""
    return f"{user.display_name}{kind}（{getattr(user, 'load', 0)}）"


class AssignForm(forms.Form):
    mediator = forms.ModelChoiceField(label=_("调解员"), queryset=None, empty_label=None)
    lead = forms.BooleanField(label=_("担任主办"), required=False)

    def __init__(self, *args, mediators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = mediators
        self.fields["mediator"].label_from_instance = lambda u: (
            f"{u.display_name}（{u.load}）" if hasattr(u, "load") else u.display_name
        )


class RelationForm(forms.Form):
    """A declared relationship: a party and either another party or a mediator of the case's area."""

    party = forms.ModelChoiceField(label=_("当事人"), queryset=None, empty_label=None)
    relation = forms.CharField(label=_("关系（如：亲属、同事、邻居）"), max_length=40)
    other_party = forms.ModelChoiceField(label=_("关系人：本案当事人"), queryset=None, required=False)
    other_user = forms.ModelChoiceField(label=_("或关系人：调解员"), queryset=None, required=False)

    def __init__(self, *args, parties=None, mediators=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("party", "other_party"):
            self.fields[name].queryset = parties
            self.fields[name].label_from_instance = lambda p: f"{p.get_role_display()} {p.name}"
        self.fields["other_user"].queryset = mediators
        self.fields["other_user"].label_from_instance = lambda u: u.display_name


class SignatureForm(forms.Form):
    """A party's signature on the agreement: the parties who have not signed yet."""

    party = forms.ModelChoiceField(label=_("当事人"), queryset=None, empty_label=None)
    method = forms.ChoiceField(
        label=_("登记方式"), choices=AgreementSignature.Method.choices, initial=AgreementSignature.Method.IN_PERSON
    )
    signed_on = forms.DateField(label=_("签字日期"), widget=DateInput(), initial=timezone.localdate, required=False)

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties
        self.fields["party"].label_from_instance = lambda p: f"{p.get_role_display()} {p.name}"


class SessionForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("时间"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"])
    mode = forms.ChoiceField(label=_("方式"), choices=Session.Mode.choices, initial=Session.Mode.IN_PERSON)
    place = forms.CharField(label=_("地点（现场调解）"), max_length=200, required=False)
    video_link = forms.URLField(label=_("会议链接（视频调解）"), required=False, assume_scheme="https")
    attendees = forms.CharField(label=_("参加人员"), max_length=300, required=False)


class HoldForm(forms.Form):
    attendees = forms.CharField(label=_("实际参加人员"), max_length=300, required=False)
    joint = forms.CharField(
        label=SessionNote.Channel.JOINT.label, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    applicant = forms.CharField(
        label=SessionNote.Channel.APPLICANT.label, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    respondent = forms.CharField(
        label=SessionNote.Channel.RESPONDENT.label, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.CharField(label=_("调解结果"), widget=forms.Textarea(attrs={"rows": 2}))

    def notes(self) -> list[dict]:
        return [
            {"channel": channel, "text": self.cleaned_data.get(channel, "")}
            for channel in SessionNote.Channel.values
            if self.cleaned_data.get(channel)
        ]


class AgreementForm(forms.Form):
    terms = forms.CharField(label=_("协议内容"), widget=forms.Textarea(attrs={"rows": 6}))
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput(), initial=timezone.localdate)
    performance_due = forms.DateField(label=_("履行期限（选填）"), widget=DateInput(), required=False)


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(label=_("回访结果"), choices=FollowUp.Outcome.choices)
    note = forms.CharField(label=_("回访记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    needs_counselling = forms.BooleanField(label=_("当事人需要心理疏导（转介心理咨询师）"), required=False)


class ConfirmationForm(forms.Form):
    court = forms.CharField(label=_("受理法院"), max_length=100)
    applied_on = forms.DateField(label=_("申请日期"), widget=DateInput(), initial=timezone.localdate)


class DecideForm(forms.Form):
    result = forms.ChoiceField(label=_("结果"), choices=[("confirmed", _("已确认")), ("rejected", _("不予确认"))])
    ruling_number = forms.CharField(label=_("裁定书文号"), max_length=80, required=False)
    reason = forms.CharField(label=_("不予确认理由"), max_length=300, required=False)


class ApplyForm(forms.Form):
    """A resident's online application: what happened, where, and with whom."""

    type = forms.ChoiceField(label=_("纠纷类型"), choices=Case.Type.choices)
    description = forms.CharField(label=_("发生了什么"), widget=forms.Textarea(attrs={"rows": 5}))
    area = forms.ModelChoiceField(label=_("发生地点"), queryset=None, empty_label=None)
    respondent_name = forms.CharField(label=_("对方姓名或名称（选填）"), max_length=60, required=False)
    respondent_phone = forms.CharField(label=_("对方电话（选填）"), max_length=20, required=False)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
