"""Per-party signatures on the agreement (签名、盖章或按指印): recorded through the service and the
policy, dated never in the future nor before the agreement, audited and in the timeline; the case
closes only when every party has signed (409 ``unsigned_parties`` naming who has not); the API and
the case page show who has signed, and the PDF prints 已签字 with the date or the empty line."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from governance.exceptions import Conflict
from governance.models import AuditEntry
from mediation import services
from mediation.documents import agreement_pdf
from mediation.models import AgreementSignature, CaseTimelineEntry

pytestmark = pytest.mark.django_db

TODAY = "2026-11-25 10:00 +0800"


@pytest.fixture
def travel():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def agreed(travel, register, village_mediator):
    case = register()
    services.case_accept(case=case, actor=village_mediator)
    services.case_start(case=case, actor=village_mediator)
    services.agreement_record(case=case, actor=village_mediator, terms="赔偿800元", signed_on=date(2026, 11, 20))
    case.refresh_from_db()
    return case


def _party(case, role):
    return case.parties.get(role=role)


def test_in_person_is_today_and_after_the_fact_is_the_paper_date(agreed, village_mediator):
    applicant, respondent = _party(agreed, "applicant"), _party(agreed, "respondent")
    services.signature_record(case=agreed, actor=village_mediator, party=applicant, method="in_person")
    services.signature_record(
        case=agreed, actor=village_mediator, party=respondent, method="after_the_fact", signed_on=date(2026, 11, 21)
    )
    rows = sorted(AgreementSignature.objects.values_list("party__role", "signed_on", "method", "recorded_by"))
    assert rows == [
        ("applicant", date(2026, 11, 25), "in_person", village_mediator.pk),
        ("respondent", date(2026, 11, 21), "after_the_fact", village_mediator.pk),
    ]
    notes = list(agreed.timeline.filter(kind=CaseTimelineEntry.Kind.AGREEMENT).values_list("note", flat=True))
    assert notes[-3:] == [
        "申请人 王*明 在调解协议上签字（2026-11-25，当面签字）",
        "被申请人 李*壮 在调解协议上签字（2026-11-21，调解员事后补录）",
        # The last signature recorded: the agreement took effect on the later of the two dates.
        "协议自 2026-11-25 起生效（最后一位当事人签字之日）；申请司法确认的截止日期为 2026-12-25。"
        "回访改期：一周回访改为 2026-12-02、一月回访改为 2026-12-25。",
    ]
    audited = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, object_type__endswith="agreementsignature")
    assert audited.count() == 2


@pytest.mark.parametrize(
    ("method", "signed_on", "field", "message"),
    [
        ("after_the_fact", date(2026, 11, 26), "signed_on", "签字日期不能晚于今天。"),
        ("after_the_fact", date(2026, 11, 19), "signed_on", "签字日期不能早于协议签订日期（2026-11-20）。"),
        (
            "in_person",
            date(2026, 11, 22),
            "signed_on",
            "当面签字的日期应为今天；补录以前的签字请选择“调解员事后补录”。",
        ),
        ("after_the_fact", None, "signed_on", "请填写签字日期。"),
        ("by_post", date(2026, 11, 22), "method", "请选择登记方式：当面签字，或调解员事后补录。"),
    ],
)
def test_bad_dates_and_methods_are_refused_and_nothing_is_written(agreed, village_mediator, method, signed_on,
                                                                  field, message):  # fmt: skip
    before = agreed.timeline.count()
    with pytest.raises(ValidationError) as caught:
        services.signature_record(
            case=agreed, actor=village_mediator, party=_party(agreed, "applicant"), method=method, signed_on=signed_on
        )
    assert caught.value.message_dict[field] == [message]
    assert AgreementSignature.objects.count() == 0
    assert agreed.timeline.count() == before


def test_a_party_of_another_case_and_a_second_signature_are_refused(agreed, register, village_mediator):
    other = register()
    with pytest.raises(ValidationError) as caught:
        services.signature_record(case=agreed, actor=village_mediator, party=other.parties.first(), method="in_person")
    assert caught.value.message_dict["party"] == ["当事人不属于本案。"]
    applicant = _party(agreed, "applicant")
    services.signature_record(case=agreed, actor=village_mediator, party=applicant, method="in_person")
    with pytest.raises(Conflict) as twice:
        services.signature_record(case=agreed, actor=village_mediator, party=applicant, method="in_person")
    assert (twice.value.code, str(twice.value.detail)) == ("already_signed", "申请人 王*明 已于 2026-11-25 签字。")
    assert AgreementSignature.objects.count() == 1


def test_no_signature_without_an_agreement(travel, register, village_mediator):
    case = register()
    with pytest.raises(Conflict) as caught:
        services.signature_record(case=case, actor=village_mediator, party=case.parties.first(), method="in_person")
    assert caught.value.code == "no_agreement"


def test_close_waits_for_every_signature_and_names_who_is_missing(agreed, village_mediator):
    with pytest.raises(Conflict) as caught:
        services.case_close(case=agreed, actor=village_mediator)
    assert caught.value.code == "unsigned_parties"
    assert caught.value.status_code == 409
    assert (
        str(caught.value.detail)
        == "以下当事人尚未在调解协议上签字，不能结案：申请人 王*明、被申请人 李*壮。请先登记签字。"
    )
    services.signature_record(
        case=agreed, actor=village_mediator, party=_party(agreed, "applicant"), method="in_person"
    )
    agreed.refresh_from_db()
    with pytest.raises(Conflict) as still:
        services.case_close(case=agreed, actor=village_mediator)
    assert str(still.value.detail) == "以下当事人尚未在调解协议上签字，不能结案：被申请人 李*壮。请先登记签字。"
    agreed.refresh_from_db()
    assert agreed.status == "agreed"
    services.signature_record(
        case=agreed, actor=village_mediator, party=_party(agreed, "respondent"), method="after_the_fact",
        signed_on=date(2026, 11, 20),
    )  # fmt: skip
    agreed.refresh_from_db()
    services.case_close(case=agreed, actor=village_mediator)
    agreed.refresh_from_db()
    assert agreed.status == "closed"
    with pytest.raises(Conflict) as after:
        services.signature_record(
            case=agreed, actor=village_mediator, party=_party(agreed, "respondent"), method="in_person"
        )
    assert after.value.code == "case_not_agreed"


def test_a_recurred_dispute_reopens_an_agreement_not_everyone_signed(agreed, village_mediator):
    follow_up = agreed.follow_ups.get(kind="week")
    services.follow_up_record(follow_up=follow_up, actor=village_mediator, outcome="recurred", note="又吵起来了")
    agreed.refresh_from_db()
    assert agreed.status == "reopened"


def test_the_api_lists_and_records_signatures(agreed, village_mediator, street_supervisor, api_as):
    url = f"/api/v1/mediation/cases/{agreed.pk}/agreement/signatures/"
    client = api_as(village_mediator)
    applicant = _party(agreed, "applicant")
    rows = client.get(url).json()
    assert [(r["role"], r["name"], r["signed"], r["signed_on"], r["method"]) for r in rows] == [
        ("applicant", "王*明", False, None, ""),
        ("respondent", "李*壮", False, None, ""),
    ]
    future = client.post(
        url, {"party": applicant.pk, "method": "after_the_fact", "signed_on": "2026-11-26"}, format="json"
    )
    assert future.status_code == 400
    assert "签字日期不能晚于今天。" in str(future.json())
    assert AgreementSignature.objects.count() == 0
    made = client.post(url, {"party": applicant.pk, "method": "in_person"}, format="json")
    assert made.status_code == 201
    assert [(r["role"], r["signed"], r["signed_on"], r["method"]) for r in made.json()] == [
        ("applicant", True, "2026-11-25", "in_person"),
        ("respondent", False, None, ""),
    ]
    close = client.post(f"/api/v1/mediation/cases/{agreed.pk}/close/", {}, format="json")
    assert close.status_code == 409
    assert close.json()["code"] == "unsigned_parties"
    assert "被申请人 李*壮" in close.json()["detail"]
    refused = api_as(street_supervisor).post(url, {"party": applicant.pk, "method": "in_person"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_case_mediator")
    reads = AuditEntry.objects.filter(action=AuditEntry.Action.READ_PERSONAL, changes__part="signatures")
    assert reads.count() == 1


def test_the_api_has_no_signatures_before_the_agreement(travel, register, village_mediator, api_as):
    case = register()
    url = f"/api/v1/mediation/cases/{case.pk}/agreement/signatures/"
    assert api_as(village_mediator).get(url).status_code == 404


def test_the_case_page_shows_who_signed_and_records_a_signature(agreed, village_mediator):
    client = Client()
    client.force_login(village_mediator)
    page = client.get(reverse("mediation:case_detail", args=[agreed.pk])).content.decode()
    assert page.count("未签字") == 2
    assert f'action="/mediation/cases/{agreed.pk}/agreement/signatures/"' in page
    bad = client.post(
        reverse("mediation:signature", args=[agreed.pk]),
        {"sig-party": _party(agreed, "respondent").pk, "sig-method": "after_the_fact", "sig-signed_on": "2026-12-30"},
    )
    assert bad.status_code == 400
    assert "签字日期不能晚于今天。" in bad.content.decode()
    done = client.post(
        reverse("mediation:signature", args=[agreed.pk]),
        {"sig-party": _party(agreed, "respondent").pk, "sig-method": "after_the_fact", "sig-signed_on": "2026-11-21"},
    )
    assert done.status_code == 302
    page = client.get(reverse("mediation:case_detail", args=[agreed.pk])).content.decode()
    assert "已签字 2026-11-21" in page
    assert page.count("未签字") == 1
    closing = client.post(reverse("mediation:case_move", args=[agreed.pk, "close"]), {})
    assert closing.status_code == 409
    assert "以下当事人尚未在调解协议上签字，不能结案：申请人 王*明。请先登记签字。" in closing.content.decode()


def _pdf_text(case) -> str:
    reader = PdfReader(io.BytesIO(agreement_pdf(case=case, agreement=case.agreement)), strict=True)
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_prints_signed_with_the_date_or_the_empty_line(agreed, village_mediator):
    services.signature_record(
        case=agreed, actor=village_mediator, party=_party(agreed, "applicant"), method="after_the_fact",
        signed_on=date(2026, 11, 21),
    )  # fmt: skip
    agreed.refresh_from_db()
    text = _pdf_text(agreed)
    assert "申请人（签名盖章或按指印）：王小明已签字2026年11月21日" in text
    assert "被申请人（签名盖章或按指印）：李大壮＿＿＿＿＿＿＿＿" in text


def test_the_signing_date_is_never_in_the_future_at_any_hour(register, village_mediator):
    # 23:30 in Beijing is still the same local day: in person is dated that day, the next is refused.
    with time_machine.travel("2026-11-25 23:30 +0800", tick=False):
        case = register()
        services.case_accept(case=case, actor=village_mediator)
        services.case_start(case=case, actor=village_mediator)
        services.agreement_record(case=case, actor=village_mediator, terms="x", signed_on=timezone.localdate())
        case.refresh_from_db()
        signature = services.signature_record(
            case=case, actor=village_mediator, party=_party(case, "applicant"), method="in_person"
        )
        assert signature.signed_on == date(2026, 11, 25)
        with pytest.raises(ValidationError):
            services.signature_record(
                case=case, actor=village_mediator, party=_party(case, "respondent"), method="after_the_fact",
                signed_on=date(2026, 11, 25) + timedelta(days=1),
            )  # fmt: skip
