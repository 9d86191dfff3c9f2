"""The agreement PDF (调解协议书), read back by a real parser (pypdf): the customary layout's parts
in order with the Chinese intact, the font embedded as a subset, the download audited, and the
document there only for those who see the case."""

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from governance.models import AuditEntry
from mediation import services
from mediation.documents import agreement_pdf, numbered_terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(register, village_mediator, co_mediator, street_supervisor):
    case = register()
    services.case_assign(case=case, mediator=co_mediator, actor=street_supervisor)
    services.case_accept(case=case, actor=village_mediator)
    services.case_start(case=case, actor=village_mediator)
    services.agreement_record(
        case=case,
        actor=village_mediator,
        terms="李大壮于十日内修复楼上漏水的管道\n李大壮赔偿王小明装修损失800元",
        signed_on=date(2026, 11, 20) if timezone.localdate() >= date(2026, 11, 20) else timezone.localdate(),
        performance_due=timezone.localdate() + timedelta(days=10),
    )
    case.refresh_from_db()
    return case


def _text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content), strict=True)
    text = "".join(page.extract_text() for page in reader.pages)
    return reader, "".join(text.split())  # lines wrap at the page edge: compare without whitespace


def test_the_agreement_reads_back_in_the_customary_order(agreed):
    reader, text = _text(agreement_pdf(case=agreed, agreement=agreed.agreement))
    signed = agreed.agreement.signed_on
    due = agreed.agreement.performance_due
    parts = [
        "人民调解协议书",
        f"编号：{agreed.number}",
        "当事人",
        "申请人：王小明身份证号码：110101199003071234住址：东升花园1号楼101联系电话：13812345678",
        "被申请人：李大壮住址：东升花园1号楼102联系电话：13987654321",
        "纠纷主要事实、争议事项：",
        "楼上漏水引发邻里纠纷",
        "经调解，自愿达成如下协议：",
        "1.李大壮于十日内修复楼上漏水的管道",
        "2.李大壮赔偿王小明装修损失800元",
        "履行方式、时限：",
        f"各方当事人应于{due.year}年{due.month}月{due.day}日前按本协议履行完毕。",
        "本协议一式三份，当事人、调解组织各持一份。",
        "申请人（签名盖章或按指印）：王小明",
        "被申请人（签名盖章或按指印）：李大壮",
        "调解员（签名）：郑调解、钱协办",
        "东升社区人民调解委员会（印）",
        f"{signed.year}年{signed.month}月{signed.day}日",
    ]
    at = -1
    for part in parts:
        found = text.find(part, at + 1)
        assert found > at, f"{part!r} missing or out of order"
        at = found
    assert reader.metadata["/Title"] == f"调解协议书 {agreed.number}"


def test_the_agreement_embeds_its_own_subset_font(agreed):
    reader, _ignored = _text(agreement_pdf(case=agreed, agreement=agreed.agreement))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/Type0"
            assert font["/BaseFont"][7] == "+", "a subset is named ABCDEF+Name"
            descendant = font["/DescendantFonts"][0].get_object()
            assert descendant["/Subtype"] == "/CIDFontType2"
            program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
            assert 1000 < len(program) < 200_000, "a subset, not the whole font"
            embedded = TTFont(io.BytesIO(program))
            cmap = embedded.getBestCmap()
            glyf = embedded["glyf"]
            for char in "调解协议书王小明":
                assert ord(char) in cmap, f"{char} is in the embedded font"
                assert glyf[cmap[ord(char)]].numberOfContours > 0, f"{char} has outlines"


def test_a_township_agreement_is_the_centres(agreed, village_mediator):
    agreed.tier, agreed.handling_area = "township", agreed.area.parent.parent
    _reader, text = _text(agreement_pdf(case=agreed, agreement=agreed.agreement))
    assert text.startswith("调解协议书")
    assert "中关村街道矛盾纠纷调解中心（印）" in text


def test_terms_already_numbered_are_kept_and_others_numbered():
    assert numbered_terms("一、赔偿\n二、道歉") == ["一、赔偿", "二、道歉"]
    assert numbered_terms("赔偿\n道歉") == ["1. 赔偿", "2. 道歉"]
    assert numbered_terms("赔偿800元") == ["赔偿800元"]


def _downloads(case) -> int:
    return AuditEntry.objects.filter(
        action=AuditEntry.Action.READ_PERSONAL, object_id=str(case.pk), changes__part="agreement_pdf"
    ).count()


def test_the_mediator_downloads_it_from_the_case_page_and_it_is_audited(agreed, village_mediator):
    client = Client()
    client.force_login(village_mediator)
    page = client.get(reverse("mediation:case_detail", args=[agreed.pk]))
    link = reverse("mediation:agreement_pdf", args=[agreed.pk])
    assert link in page.content.decode()
    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="agreement-{agreed.year}-{agreed.sequence}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert "王小明" in _text(response.content)[1]
    assert _downloads(agreed) == 1
    entry = AuditEntry.objects.get(changes__part="agreement_pdf")
    assert entry.actor == village_mediator


def test_the_supervisor_downloads_it_through_the_api(agreed, street_supervisor, api_as):
    response = api_as(street_supervisor).get(f"/api/v1/mediation/cases/{agreed.pk}/agreement/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "人民调解协议书" in _text(response.content)[1]
    assert _downloads(agreed) == 1


@pytest.mark.parametrize("who", ["west_mediator", "east_staff", "grid_worker", "east_resident", "township_mediator"])
def test_for_anyone_outside_the_case_the_agreement_does_not_exist(who, agreed, request, api_as):
    user = request.getfixturevalue(who)
    assert api_as(user).get(f"/api/v1/mediation/cases/{agreed.pk}/agreement/pdf/").status_code == 404
    client = Client()
    client.force_login(user)
    assert client.get(reverse("mediation:agreement_pdf", args=[agreed.pk])).status_code == 404
    assert _downloads(agreed) == 0


def test_a_case_without_an_agreement_has_no_pdf(register, village_mediator, api_as):
    case = register()
    assert api_as(village_mediator).get(f"/api/v1/mediation/cases/{case.pk}/agreement/pdf/").status_code == 404
    assert _downloads(case) == 0
