"""The mediation agreement (调解协议书) as a PDF, in the customary layout of the 人民调解协议书
(the Ministry of Justice's form of the document):

    title, the case number on the right; the parties one by one (role, name, ID number, address,
    telephone); 纠纷主要事实、争议事项; 经调解，自愿达成如下协议 and the terms, numbered; 履行方式、
    时限; 本协议一式 N 份 and when it takes effect; the signature lines of every party (已签字 and
    the date once their signature is recorded, else the empty line) and of the mediators; the
    mediation organisation and the signing date on the right.

Each round of mediation has its own agreement; the current one is printed by default, an earlier
round's (superseded when the case was reopened) by its id, marked under the title as no longer in
force. A withdrawn signature is not printed (the party's line is empty again).

It is the case's own document, given to the parties and kept in the file: it carries the parties'
data unmasked, and only those who may see the case page may download it (``mediation.policies``,
action ``download_agreement``), each download audited. Chinese is rendered with the font the PDF
embeds (``governance.pdf``).
"""

import re
from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.pdf import Line, gap, lines_pdf
from mediation.models import Agreement, Case, Tier
from mediation.selectors import case_mediators, case_parties

CHINESE_NUMERALS = "一二三四五六七八九十"
NUMBERED = re.compile(r"^\s*(\d+[.、．)]|[（(]?[一二三四五六七八九十]+[、.．)）]|[（(]\d+[)）])")


def chinese_date(value: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def organisation_name(case: Case) -> str:
    """The organisation that made the agreement: the village (community) people's mediation
    committee, or the township (street) or county (district) mediation centre."""
    name = case.handling_area.name
    if case.tier == Tier.VILLAGE:
        return _("%(name)s人民调解委员会") % {"name": name}
    return _("%(name)s矛盾纠纷调解中心") % {"name": name}


def numbered_terms(terms: str) -> list[str]:
    """The terms one per paragraph; numbered 1. 2. … unless the mediator numbered them already."""
    paragraphs = [p.strip() for p in terms.splitlines() if p.strip()]
    if len(paragraphs) <= 1 or all(NUMBERED.match(p) for p in paragraphs):
        return paragraphs
    return [f"{i}. {p}" for i, p in enumerate(paragraphs, start=1)]


def agreement_lines(*, case: Case, agreement: Agreement) -> list[Line]:
    parties = list(case_parties(case=case))
    mediators = list(case_mediators(case=case))
    out: list[Line] = [
        Line(_("人民调解协议书") if case.tier == Tier.VILLAGE else _("调解协议书"), size=20, height=12, align="C"),
        Line(_("编号：%(number)s") % {"number": case.number}, size=11, height=7, align="R"),
        gap(2),
        Line(_("当事人"), size=13, height=8),
    ]
    for party in parties:
        details = [f"{party.get_role_display()}：{party.name}"]
        if party.id_number:
            details.append(_("身份证号码：%(id)s") % {"id": party.id_number})
        if party.address:
            details.append(_("住址：%(address)s") % {"address": party.address})
        if party.phone:
            details.append(_("联系电话：%(phone)s") % {"phone": party.phone})
        out.append(Line("　".join(details), indent=6))  # wraps between the fields
    out += [
        gap(),
        Line(_("纠纷主要事实、争议事项："), size=13, height=8),
        Line(case.description, indent=6),
        gap(),
        Line(_("经调解，自愿达成如下协议："), size=13, height=8),
        *[Line(term, indent=6) for term in numbered_terms(agreement.terms)],
        gap(),
        Line(_("履行方式、时限："), size=13, height=8),
        Line(
            _("各方当事人应于%(date)s前按本协议履行完毕。") % {"date": chinese_date(agreement.performance_due)}
            if agreement.performance_due
            else _("各方当事人应自本协议生效之日起按约定履行。"),
            indent=6,
        ),
        gap(),
        Line(
            _(
                "本协议一式%(n)s份，当事人、调解组织各持一份。本协议自各方当事人签名（盖章或按指印）、"
                "调解员签名并加盖调解组织印章之日起生效。经调解组织调解达成的调解协议，具有法律约束力，"
                "当事人应当按照约定履行；当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。"
            )
            % {"n": _chinese_count(len(parties) + 1)},
            indent=6,
        ),
        gap(8),
    ]
    signed = {sig.party_id: sig for sig in agreement.signatures.filter(withdrawn_at__isnull=True)}
    for party in parties:
        signature = signed.get(party.pk)
        if signature is not None:
            text = _("%(role)s（签名盖章或按指印）：%(name)s　已签字　%(date)s") % {
                "role": party.get_role_display(),
                "name": party.name,
                "date": chinese_date(signature.signed_on),
            }
        else:
            text = _("%(role)s（签名盖章或按指印）：%(name)s　＿＿＿＿＿＿＿＿") % {
                "role": party.get_role_display(),
                "name": party.name,
            }
        out.append(Line(text, height=10))
    names = "、".join(a.mediator.display_name for a in mediators)
    out += [
        Line(_("调解员（签名）：%(names)s　＿＿＿＿＿＿＿＿") % {"names": names}, height=10),
        gap(8),
        Line(_("%(organisation)s（印）") % {"organisation": organisation_name(case)}, align="R", height=8),
        Line(chinese_date(agreement.signed_on), align="R", height=8),
    ]
    if agreement.superseded_at is not None:
        out.insert(
            2,
            Line(
                _("（第%(round)d轮调解协议，已于%(date)s因案件重新启动调解而失效，仅供存档）")
                % {"round": agreement.round, "date": chinese_date(timezone.localdate(agreement.superseded_at))},
                size=11,
                height=7,
                align="C",
            ),
        )
    return out


def _chinese_count(n: int) -> str:
    return CHINESE_NUMERALS[n - 1] if 1 <= n <= len(CHINESE_NUMERALS) else str(n)


def agreement_pdf(*, case: Case, agreement: Agreement) -> bytes:
    return lines_pdf(
        title=_("调解协议书 %(number)s") % {"number": case.number},
        lines=agreement_lines(case=case, agreement=agreement),
        margin=20,
    )


def agreement_filename(case: Case, agreement: Agreement | None = None) -> str:
    """An ASCII file name (the number has full-width brackets): ``agreement-2026-12.pdf``, and for
    a later round's agreement ``agreement-2026-12-r2.pdf``."""
    suffix = f"-r{agreement.round}" if agreement is not None and agreement.round > 1 else ""
    return f"agreement-{case.year}-{case.sequence}{suffix}.pdf"


def agreement_response(*, case: Case, agreement: Agreement) -> HttpResponse:
    """The PDF as a download (the same on the page and the API; the caller audits the read)."""
    response = HttpResponse(agreement_pdf(case=case, agreement=agreement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{agreement_filename(case, agreement)}"'
    response["Cache-Control"] = "private, no-store"
    return response
