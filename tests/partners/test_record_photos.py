"""Evidence photos on service records: real images made with Pillow, checked and re-encoded by the
core's cleaner, refused with a clear Chinese error (400 on the API, a form error on the page with
nothing lost), and served only through the scoped view — never from /media/."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from governance.models import Role
from partners import services
from partners.models import ServiceRecord, ServiceRecordPhoto
from tests.partners.conftest import make_partner

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "只能上传 JPEG、PNG 或 WebP 格式的图片。"


def jpeg(name="photo.jpg", size=(40, 30), gps=False) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (39.0, 59.0, 0.0)}  # GPSInfo: latitude 39°59′ N
        exif[0x010F] = "TestCamera"  # Make
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png(name="photo.png", size=(20, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text_file(name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"this is not an image at all", content_type="image/jpeg")


@pytest.fixture
def rule(area_tree, east_staff):
    return services.earning_rule_save(community=area_tree["east"], activity="法律咨询", points=10, actor=east_staff)


def submit(partner, rule, photos, **extra):
    return services.service_record_submit(
        partner=partner,
        rule=rule,
        served_on=timezone.localdate(),
        actor=partner.users.first(),
        description="社区法律咨询",
        photos=photos,
        **extra,
    )


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_jpeg_and_a_png_are_kept_re_encoded_without_their_location(partner, rule):
    record = submit(partner, rule, [jpeg(gps=True), png()])
    photos = list(record.photos.all())
    assert len(photos) == 2
    assert [p.image.name.rsplit(".", 1)[-1] for p in photos] == ["jpg", "png"]
    with photos[0].image.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (40, 30)
        assert dict(stored.getexif()) == {}  # neither GPS nor the camera survives
    assert photos[0].uploaded_by == partner.users.first()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_written(partner, rule):
    with pytest.raises(ValidationError) as refused:
        submit(partner, rule, [png(), text_file()])
    assert refused.value.messages == [NOT_AN_IMAGE]
    assert ServiceRecord.objects.count() == 0
    assert ServiceRecordPhoto.objects.count() == 0


def test_an_image_over_the_pixel_limit_is_refused_with_its_size(partner, rule, settings):
    settings.UPLOAD_MAX_PIXELS = 300  # 400 pixels: over the limit, under Pillow's own 2× guard
    with pytest.raises(ValidationError) as refused:
        submit(partner, rule, [png(size=(20, 20))])
    assert refused.value.messages == ["图片尺寸过大（20×20 像素），上限为 0.03 万像素，请缩小后重新上传。"]
    assert ServiceRecord.objects.count() == 0


def test_more_than_six_photos_are_refused(partner, rule):
    with pytest.raises(ValidationError) as refused:
        submit(partner, rule, [png(f"p{i}.png") for i in range(7)])
    assert refused.value.messages == ["最多上传 6 张照片。"]
    assert ServiceRecord.objects.count() == 0


# --- API ------------------------------------------------------------------------------------------


def test_the_api_takes_photos_and_answers_with_scoped_urls(partner, rule, api_as):
    response = api_as(partner.users.first()).post(
        "/api/v1/service-records/",
        {"rule": rule.pk, "served_on": timezone.localdate().isoformat(), "photos": [jpeg(), png()]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    record = ServiceRecord.objects.get()
    photo_ids = list(record.photos.values_list("pk", flat=True))
    assert [p["url"] for p in response.json()["photos"]] == [
        f"http://testserver/partners/records/{record.pk}/photos/{pk}/" for pk in photo_ids
    ]
    assert "/media/" not in response.content.decode()


def test_the_api_refuses_a_non_image_with_400_in_chinese(partner, rule, api_as):
    response = api_as(partner.users.first()).post(
        "/api/v1/service-records/",
        {"rule": rule.pk, "served_on": timezone.localdate().isoformat(), "photos": [text_file()]},
        format="multipart",
    )
    assert response.status_code == 400
    assert NOT_AN_IMAGE in response.content.decode()
    assert ServiceRecord.objects.count() == 0


def test_the_api_refuses_too_many_pixels_with_400(partner, rule, api_as, settings):
    settings.UPLOAD_MAX_PIXELS = 300  # 400 pixels: over the limit, under Pillow's own 2× guard
    response = api_as(partner.users.first()).post(
        "/api/v1/service-records/",
        {"rule": rule.pk, "served_on": timezone.localdate().isoformat(), "photos": [png(size=(20, 20))]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "图片尺寸过大（20×20 像素）" in response.content.decode()
    assert ServiceRecord.objects.count() == 0


# --- The page ------------------------------------------------------------------------------------


def test_the_page_refuses_a_non_image_on_the_photos_field_and_keeps_everything_else(partner, rule):
    client = login(partner.users.first())
    form = {"rule": rule.pk, "served_on": timezone.localdate().isoformat(), "hours": "2", "beneficiaries": "3"}
    sent = client.post(
        reverse("partners:service_new"), {**form, "description": "为老人解答遗嘱问题", "photos": [jpeg(), text_file()]}
    )
    assert sent.status_code == 400
    assert sent.context["form"].errors["photos"] == [NOT_AN_IMAGE]
    html = sent.content.decode()
    assert "为老人解答遗嘱问题" in html  # what was typed comes back
    assert "已保留刚才选择的 1 张照片" in html  # the valid photo is kept
    token = sent.context["form"].data["pending_photos"]
    assert token
    assert ServiceRecord.objects.count() == 0

    again = client.post(
        reverse("partners:service_new"), {**form, "description": "为老人解答遗嘱问题", "pending_photos": token}
    )
    assert again.status_code == 302
    record = ServiceRecord.objects.get()
    assert record.description == "为老人解答遗嘱问题"
    assert record.photos.count() == 1


def test_the_page_refuses_too_many_pixels_as_a_form_error(partner, rule, settings):
    settings.UPLOAD_MAX_PIXELS = 300  # 400 pixels: over the limit, under Pillow's own 2× guard
    sent = login(partner.users.first()).post(
        reverse("partners:service_new"),
        {"rule": rule.pk, "served_on": timezone.localdate().isoformat(), "hours": "1", "photos": [png(size=(20, 20))]},
    )
    assert sent.status_code == 400
    assert sent.context["form"].errors["photos"] == [
        "图片尺寸过大（20×20 像素），上限为 0.03 万像素，请缩小后重新上传。"
    ]
    assert ServiceRecord.objects.count() == 0


def test_a_record_sent_back_for_another_reason_keeps_the_photos(partner, rule):
    """A missing field: the photos chosen are held, not lost."""
    sent = login(partner.users.first()).post(
        reverse("partners:service_new"), {"rule": rule.pk, "served_on": "", "photos": [jpeg(), png()]}
    )
    assert sent.status_code == 400
    assert "served_on" in sent.context["form"].errors
    assert sent.context["pending_count"] == 2


# --- Serving: only to who may see the record ----------------------------------------------------------


@pytest.fixture
def record_with_photo(partner, rule):
    return submit(partner, rule, [jpeg()])


def photo_url(record) -> str:
    return reverse("partners:record_photo", args=[record.pk, record.photos.get().pk])


def test_the_partner_and_the_staff_of_its_community_see_the_photo(record_with_photo, east_staff):
    for user in (record_with_photo.partner.users.first(), east_staff):
        response = login(user).get(photo_url(record_with_photo))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=86400"
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_another_partner_staff_elsewhere_and_strangers_do_not(
    record_with_photo, west_partner, west_staff, make_user, area_tree
):
    other = make_partner(
        community=area_tree["east"], user=make_user(Role.PARTNER, area_tree["east"], username="other"), name="李医生"
    )
    for user in (other.users.first(), west_partner.users.first(), west_staff):
        assert login(user).get(photo_url(record_with_photo)).status_code == 404
    anonymous = Client().get(photo_url(record_with_photo))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"] or "login" in anonymous["Location"]


def test_the_stored_file_is_not_served_from_media(record_with_photo, east_staff):
    name = record_with_photo.photos.get().image.name
    assert login(east_staff).get(f"/media/{name}").status_code == 404


def test_a_photo_of_another_record_is_not_reachable_through_this_one(record_with_photo, partner, rule):
    second = submit(partner, rule, [png()])
    url = reverse("partners:record_photo", args=[record_with_photo.pk, second.photos.get().pk])
    assert login(partner.users.first()).get(url).status_code == 404
