"""The reporter's contact, revealed in full, is never stored by the browser or a proxy."""

from django.test import Client
from django.urls import reverse

from grids import services


def test_the_contact_reveal_page_is_no_store(report, east_staff):
    event = report(reporter_phone="13912345678")
    client = Client()
    client.force_login(east_staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("grids:event_contact", args=[event.pk]))
    assert response.status_code == 200
    assert "13912345678" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_contact_api_is_no_store(api_as, report, east_staff, handler):
    event = report(reporter_phone="13912345678")
    services.event_dispatch(event=services.event_accept(event=event, actor=east_staff), actor=east_staff)
    response = api_as(handler).get(f"/api/v1/events/{event.pk}/contact/")
    assert response.status_code == 200
    assert response.json()["phone"] == "13912345678"
    assert "no-store" in response["Cache-Control"]


def test_the_event_page_without_the_reveal_keeps_its_ordinary_caching(report, east_staff):
    event = report(reporter_phone="13912345678")
    client = Client()
    client.force_login(east_staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("grids:event_detail", args=[event.pk]))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
