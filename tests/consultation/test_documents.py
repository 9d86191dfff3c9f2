"""The minutes PDF and the iCalendar feeds, read back by real parsers: pypdf, and two independent
strict iCalendar parsers (icalendar and vobject) that must both accept the feeds."""

import io
import re
import zoneinfo
from datetime import datetime, timedelta

import icalendar
import pytest
import vobject
from django.test import Client
from django.urls import reverse
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from governance.consultation import services
from governance.consultation.documents import _fold, mask_name
from governance.consultation.models import Meeting
from tests.consultation.conftest import confirm_and_publish

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def concluded(quorate, east_staff, property_company):
    item = services.agenda_item_add(
        actor=east_staff, meeting=quorate, title="加装电梯", is_major=True, responsible_department=property_company
    )
    services.agenda_item_vote(actor=east_staff, item=item, votes_for=3, votes_against=0, abstentions=0)
    other = services.agenda_item_add(actor=east_staff, meeting=quorate, title="规划停车位")
    services.agenda_item_vote(actor=east_staff, item=other, votes_for=1, votes_against=2, abstentions=0)
    services.meeting_conclude(actor=east_staff, meeting=quorate)
    confirm_and_publish(meeting=quorate, actor=east_staff, text="会议议定：一号楼加装电梯，物业公司牵头。")
    return quorate


def _pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content), strict=True)
    text = "".join(page.extract_text() for page in reader.pages)
    return reader, "".join(text.split())  # lines wrap at the page edge; compare without whitespace


def test_minutes_pdf_extracts_with_its_chinese_intact(concluded, east_staff):
    client = Client()
    client.force_login(east_staff)
    response = client.get(reverse("consultation:minutes_pdf", args=[concluded.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    _reader, text = _pdf_text(response.content)
    for expected in (
        "红色议事厅会议纪要",
        "三月红色议事厅",
        "1.加装电梯（重大事项）",
        "2.规划停车位",
        "赞成3，反对0，弃权0（到会3人），通过",
        "赞成1，反对2，弃权0（到会3人），未通过",
        "居民代表：应到2人，实到1人孙*",
        "物业公司：应到1人，实到1人钱*",
        "责任方：红心物业",
        "会议议定：一号楼加装电梯，物业公司牵头。",
    ):
        assert expected in text


def test_minutes_pdf_numbers_nested_agenda_items(quorate, east_staff):
    from governance.consultation.documents import minutes_pdf

    parking = services.agenda_item_add(actor=east_staff, meeting=quorate, title="停车管理")
    services.agenda_item_add(actor=east_staff, meeting=quorate, title="划线", parent=parking)
    services.agenda_item_add(actor=east_staff, meeting=quorate, title="夜间巡查", parent=parking)
    lift = services.agenda_item_add(actor=east_staff, meeting=quorate, title="加装电梯")
    services.agenda_item_move(actor=east_staff, item=lift, position=1)
    _reader, text = _pdf_text(minutes_pdf(meeting=quorate))
    assert re.search(r"1\.加装电梯.*2\.停车管理.*2\.1划线.*2\.2夜间巡查", text), text


def test_minutes_pdf_embeds_its_own_font(concluded):
    from governance.consultation.documents import minutes_pdf

    reader, _text = _pdf_text(minutes_pdf(meeting=concluded))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts, "the page uses a font"
    for font in fonts.values():
        font = font.get_object()
        assert font["/Subtype"] == "/Type0"
        assert "NotoSansSC" in font["/BaseFont"]
        assert font["/DescendantFonts"][0].get_object()["/Subtype"] == "/CIDFontType2"
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = descriptor["/FontFile2"].get_object().get_data()  # a TrueType program, embedded
        assert 1000 < len(program) < 200_000, "a subset, not the whole 8 MB font"
        assert font["/BaseFont"][7] == "+", "a subset is named ABCDEF+Name"
        # The embedded program itself draws the characters: real outlines, not empty boxes.
        embedded = TTFont(io.BytesIO(program))
        glyf = embedded["glyf"]
        for char in "议事厅加装电梯":
            gid = _gid_for(reader, font, char)
            glyph = glyf[embedded.getGlyphName(gid)]
            assert glyph.numberOfContours > 0, char


def _gid_for(reader, font, char: str) -> int:
    """The glyph id the page uses for ``char``: its code from the ToUnicode map (Identity-H: code = CID),
    then the CIDToGIDMap."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    code = next(
        int(src, 16) for src, dst in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4,8})>", cmap) if chr(int(dst, 16)) == char
    )
    descendant = font["/DescendantFonts"][0].get_object()
    mapping = descendant.get("/CIDToGIDMap")
    if mapping is None or mapping == "/Identity":
        return code
    data = mapping.get_object().get_data()
    return int.from_bytes(data[code * 2 : code * 2 + 2], "big")


def test_resident_sees_the_pdf_only_once_published(quorate, east_staff, make_user, area_tree):
    neighbour = make_user("resident", area_tree["east_building"], username="neighbour")
    client = Client()
    client.force_login(neighbour)
    url = reverse("consultation:minutes_pdf", args=[quorate.pk])
    assert client.get(url).status_code == 403
    services.meeting_conclude(actor=east_staff, meeting=quorate)
    confirm_and_publish(meeting=quorate, actor=east_staff)
    assert client.get(url).status_code == 200


def test_other_compounds_resident_cannot_reach_the_pdf(concluded, west_resident):
    client = Client()
    client.force_login(west_resident)
    assert client.get(reverse("consultation:minutes_pdf", args=[concluded.pk])).status_code == 404


def test_calendar_feed_parses_with_uid_times_and_cancelled_status(meeting, east_staff, committee, area_tree, starts_at):
    cancelled = services.meeting_create(
        actor=east_staff,
        title="临时议事：楼道堆物, 清理；安排",
        organization=committee,
        area=area_tree["east"],
        starts_at=datetime(2026, 12, 20, 19, 30, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 12, 20, 21, 0, tzinfo=SHANGHAI),
        place="东升社区党群服务中心" * 4,
    )
    services.meeting_cancel(actor=east_staff, meeting=cancelled, reason="改期")
    response = Client().get(reverse("consultation:calendar"), {"area": "HD-ZGC-DS"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content
    assert b"\r\n" in raw
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"三月红色议事厅", "临时议事：楼道堆物, 清理；安排"}
    planned = events["三月红色议事厅"]
    assert str(planned["UID"]) == f"meeting-{meeting.pk}@testserver"
    assert planned["DTSTART"].dt == starts_at.replace(microsecond=0)
    assert str(planned["STATUS"]) == "CONFIRMED"
    other = events["临时议事：楼道堆物, 清理；安排"]
    assert other["DTSTART"].dt.astimezone(SHANGHAI) == datetime(2026, 12, 20, 19, 30, tzinfo=SHANGHAI)
    assert str(other["STATUS"]) == "CANCELLED"
    assert str(other["LOCATION"]) == "东升社区党群服务中心" * 4


def test_calendar_uid_is_stable_across_fetches(meeting):
    first = Client().get(reverse("consultation:calendar"), {"area": "HD-ZGC-DS-01"}).content
    second = Client().get(reverse("consultation:calendar"), {"area": "HD-ZGC-DS-01"}).content
    uid = lambda raw: [str(e["UID"]) for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")]  # noqa: E731
    assert uid(first) == uid(second) == [f"meeting-{meeting.pk}@testserver"]


def test_calendar_of_another_community_has_none_of_these_meetings(meeting):
    raw = Client().get(reverse("consultation:calendar"), {"area": "HD-ZGC-XY"}).content
    assert icalendar.Calendar.from_ical(raw).walk("VEVENT") == []


def test_calendar_needs_a_known_area():
    assert Client().get(reverse("consultation:calendar"), {"area": "nope"}).status_code == 404


def test_folding_never_splits_a_chinese_character():
    line = "SUMMARY:" + "议" * 60
    folded = _fold(line).encode("utf-8").split(b"\r\n ")
    assert all(len(part) <= 75 for part in folded)
    assert b"".join(folded).decode("utf-8") == line


def test_mask_name():
    assert [mask_name(n) for n in ("王小明", "李四", "欧阳娜娜", "")] == ["王*明", "李*", "欧**娜", ""]


def test_meeting_status_labels_are_the_ones_the_feed_reads():
    assert Meeting.Status.CANCELLED == "cancelled"
    assert timedelta(hours=24) == services.REMIND_BEFORE


def test_personal_calendar_lists_my_meetings_at_a_secret_url(meeting, invited, rep, west_resident):
    client = Client()
    client.force_login(rep)
    page = client.get(reverse("consultation:meeting_detail", args=[meeting.pk])).content.decode()
    url = re.search(r'href="http://testserver(/consultation/calendar/[^"]+\.ics)"', page).group(1)
    raw = Client().get(url).content  # no session: the URL itself is the key
    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"meeting-{meeting.pk}@testserver"]
    from governance.consultation.selectors import personal_calendar_token

    other = Client().get(reverse("consultation:personal_calendar", args=[personal_calendar_token(user=west_resident)]))
    assert icalendar.Calendar.from_ical(other.content).walk("VEVENT") == []
    tampered = url.replace(".ics", "x.ics")
    assert Client().get(tampered).status_code == 404


# --- A second, independent strict parser: vobject ---------------------------------------------------


def _vobject_events(raw: bytes) -> list:
    """Parse with vobject, strictly: exactly one VCALENDAR, nothing unreadable, every event validated."""
    calendars = list(vobject.readComponents(raw.decode("utf-8"), validate=True, ignoreUnreadable=False))
    assert len(calendars) == 1
    calendar = calendars[0]
    assert calendar.name == "VCALENDAR"
    assert calendar.version.value == "2.0"
    assert calendar.prodid.value
    events = list(getattr(calendar, "vevent_list", []))
    for event in events:
        event.validate(raiseException=True)
    return events


def test_calendar_feed_parses_in_vobject_too(meeting, east_staff, committee, area_tree):
    cancelled = services.meeting_create(
        actor=east_staff,
        title="临时议事：楼道堆物, 清理；安排",
        organization=committee,
        area=area_tree["east"],
        starts_at=datetime(2026, 12, 20, 19, 30, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 12, 20, 21, 0, tzinfo=SHANGHAI),
        place="东升社区党群服务中心" * 4,
    )
    services.meeting_cancel(actor=east_staff, meeting=cancelled, reason="改期")
    raw = Client().get(reverse("consultation:calendar"), {"area": "HD-ZGC-DS"}).content
    events = {e.summary.value: e for e in _vobject_events(raw)}
    assert set(events) == {"三月红色议事厅", "临时议事：楼道堆物, 清理；安排"}
    other = events["临时议事：楼道堆物, 清理；安排"]
    assert other.uid.value == f"meeting-{cancelled.pk}@testserver"
    assert other.dtstart.value.astimezone(SHANGHAI) == datetime(2026, 12, 20, 19, 30, tzinfo=SHANGHAI)
    assert other.dtend.value.astimezone(SHANGHAI) == datetime(2026, 12, 20, 21, 0, tzinfo=SHANGHAI)
    assert other.status.value == "CANCELLED"
    assert other.location.value == "东升社区党群服务中心" * 4
    assert events["三月红色议事厅"].status.value == "CONFIRMED"


def test_personal_calendar_parses_in_vobject_too(meeting, invited, rep):
    from governance.consultation.selectors import personal_calendar_token

    url = reverse("consultation:personal_calendar", args=[personal_calendar_token(user=rep)])
    events = _vobject_events(Client().get(url).content)
    assert [e.uid.value for e in events] == [f"meeting-{meeting.pk}@testserver"]


def test_vobject_refuses_a_broken_feed():
    """The second parser is strict: a feed cut in half does not parse."""
    broken = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:notadate\r\n"
    with pytest.raises(vobject.base.ParseError):
        list(vobject.readComponents(broken, validate=True, ignoreUnreadable=False))
