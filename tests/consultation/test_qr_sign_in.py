"""QR sign-in: the staff's QR image (decoded by a real reader, zxing-cpp) leads to the meeting's
sign-in page with the current code; the participant signs in once, only within the sign-in window,
and every sign-in is audited with how it was made."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
import zxingcpp
from django.test import Client
from django.urls import reverse
from PIL import Image

from governance.consultation import services
from governance.consultation.models import Meeting, Participant
from governance.exceptions import Conflict, DomainError
from governance.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _decode_svg_qr(svg: bytes) -> str:
    """Draw the SVG's modules (segno writes one path of horizontal runs in module units, each run
    centred on its row) into an image and read it back with zxing-cpp."""
    size = int(re.search(rb'width="(\d+)"', svg).group(1)) // 8  # scale(8): modules per side
    path = re.search(rb' d="([^"]+)"', svg).group(1).decode()
    image = Image.new("L", (size, size), 255)
    pixels = image.load()
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s*(-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                pixels[column, int(y)] = 0
            x += float(a)
    results = zxingcpp.read_barcodes(image.resize((size * 8, size * 8), Image.NEAREST))
    assert results, "no QR code found in the image"
    return results[0].text


def test_staff_get_a_qr_that_decodes_to_the_sign_in_page_with_the_current_code(in_session, east_staff):
    response = _client(east_staff).get(reverse("consultation:sign_in_qr_svg", args=[in_session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, no-store"
    in_session.refresh_from_db()
    assert _decode_svg_qr(response.content) == (
        f"http://testserver/consultation/meetings/{in_session.pk}/scan/{in_session.sign_in_code}/"
    )


def test_the_projection_page_shows_the_qr_the_code_and_the_count(in_session, east_staff):
    page = _client(east_staff).get(reverse("consultation:sign_in_qr", args=[in_session.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    in_session.refresh_from_db()
    assert in_session.sign_in_code in html
    assert f'/consultation/meetings/{in_session.pk}/sign-in-qr.svg"' in html
    assert "已签到 0 / 应到 4 人" in html


@pytest.mark.parametrize("who", ["rep", "west_resident"])
def test_participants_and_outsiders_get_no_qr(in_session, rep, west_resident, who):
    user = {"rep": rep, "west_resident": west_resident}[who]
    expected = {"rep": 403, "west_resident": 404}[who]
    for name in ("consultation:sign_in_qr", "consultation:sign_in_qr_svg"):
        assert _client(user).get(reverse(name, args=[in_session.pk])).status_code == expected


def test_no_qr_before_the_meeting_opens(meeting, invited, east_staff):
    assert _client(east_staff).get(reverse("consultation:sign_in_qr_svg", args=[meeting.pk])).status_code == 404


def test_scanning_signs_the_participant_in_once_and_is_audited(in_session, rep, invited):
    in_session.refresh_from_db()
    client = _client(rep)
    url = reverse("consultation:scan_sign_in", args=[in_session.pk, in_session.sign_in_code.lower()])
    page = client.get(url)
    assert page.status_code == 200
    assert "确认签到" in page.content.decode()
    assert Participant.objects.get(pk=invited["rep"].pk).signed_in_at is None  # a GET writes nothing
    response = client.post(url)
    assert response.status_code == 302
    signed = Participant.objects.get(pk=invited["rep"].pk)
    assert signed.signed_in_at is not None
    assert signed.signed_in_by is None
    first = signed.signed_in_at
    client.post(url)  # a second scan
    assert Participant.objects.get(pk=invited["rep"].pk).signed_in_at == first
    assert "您已于" in client.get(url).content.decode()
    assert list(in_session.timeline.filter(kind="sign_in").values_list("note", flat=True)) == ["孙代表（扫码签到）"]
    audit = AuditEntry.objects.filter(object_id=str(signed.pk), action="update").values_list("changes", flat=True)
    assert list(audit) == [{"signed_in": True, "via": "qr", "meeting": in_session.pk}]


def test_typing_the_code_and_staff_by_hand_are_audited_too(in_session, rep, east_staff, invited):
    in_session.refresh_from_db()
    services.meeting_sign_in(user=rep, meeting=in_session, code=in_session.sign_in_code)
    services.participant_sign_in_by_staff(actor=east_staff, participant=invited["owner"])
    vias = {
        entry.object_id: entry.changes["via"]
        for entry in AuditEntry.objects.filter(action="update", changes__has_key="via")
    }
    assert vias == {str(invited["rep"].pk): "code", str(invited["owner"].pk): "staff"}


def test_a_qr_from_before_the_meeting_reopened_is_refused(in_session, rep, invited):
    client = _client(rep)
    url = reverse("consultation:scan_sign_in", args=[in_session.pk, "ZZZZZZ"])
    assert "二维码已失效" in client.get(url).content.decode()
    with pytest.raises(DomainError) as caught:
        services.meeting_sign_in(user=rep, meeting=in_session, code="ZZZZZZ", via=services.SignIn.QR)
    assert caught.value.code == "wrong_code"
    assert Participant.objects.get(pk=invited["rep"].pk).signed_in_at is None


def test_scanning_after_the_meeting_concluded_is_refused(in_session, rep, east_staff, invited):
    in_session.refresh_from_db()
    code = in_session.sign_in_code
    services.meeting_conclude(actor=east_staff, meeting=in_session)
    client = _client(rep)
    url = reverse("consultation:scan_sign_in", args=[in_session.pk, code])
    assert "签到未开放或已截止" in client.get(url).content.decode()
    followed = client.post(url, follow=True).content.decode()
    assert "签到码已失效：会议未开始或已结束。" in followed
    assert Participant.objects.get(pk=invited["rep"].pk).signed_in_at is None


def test_self_sign_in_closes_two_hours_after_the_scheduled_end(in_session, rep, east_staff, invited):
    in_session.refresh_from_db()
    assert services.sign_in_closes_at(in_session) == in_session.ends_at + timedelta(hours=2)
    with time_machine.travel(in_session.ends_at + timedelta(hours=2, minutes=1)):
        meeting = Meeting.objects.get(pk=in_session.pk)
        with pytest.raises(Conflict) as caught:
            services.meeting_sign_in(user=rep, meeting=meeting, code=meeting.sign_in_code, via=services.SignIn.QR)
        assert caught.value.code == "sign_in_closed"
        assert "请联系会议工作人员代为签到" in str(caught.value.detail)
        assert Participant.objects.get(pk=invited["rep"].pk).signed_in_at is None
        services.participant_sign_in_by_staff(actor=east_staff, participant=invited["rep"])  # by hand still works
    assert Participant.objects.get(pk=invited["rep"].pk).signed_in_by == east_staff


def test_someone_not_invited_cannot_sign_in_by_qr(in_session, make_user, area_tree):
    neighbour = make_user("resident", area_tree["east_building"], username="neighbour")
    in_session.refresh_from_db()
    url = reverse("consultation:scan_sign_in", args=[in_session.pk, in_session.sign_in_code])
    assert _client(neighbour).get(url).status_code == 403
    assert _client(neighbour).post(url).status_code == 403


def test_a_signed_out_phone_is_sent_to_login_and_back(in_session):
    in_session.refresh_from_db()
    url = reverse("consultation:scan_sign_in", args=[in_session.pk, in_session.sign_in_code])
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(url)}"
