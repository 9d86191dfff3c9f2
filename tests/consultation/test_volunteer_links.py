"""A 红色管家 may be a partner of the points bank (issue 11: "link if so"). Consultation does not know
the partners app: it offers its volunteers to the core's object-link hook under the model label
``consultation.volunteer``, and whichever app registers a provider there (partners, later) puts its
link beside the volunteer on the staff volunteers page and on the compound page."""

import pytest
from django.test import Client
from django.urls import reverse

from governance import extensions
from governance.consultation import services
from governance.extensions import Link

pytestmark = pytest.mark.django_db
COMPOUND = "HD-ZGC-DS-01"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two_volunteers(east_staff, rep, owner_member, area_tree):
    building = area_tree["east_building"]
    partner = services.volunteer_assign(actor=east_staff, person=rep, building=building, duties="夜间巡查")
    other = services.volunteer_assign(actor=east_staff, person=owner_member, building=building, duties="调解")
    return partner, other


@pytest.fixture
def provider(monkeypatch, rep):
    """Stands in for the partners app: 孙代表 is partner 7 of the points bank; nobody else is one."""
    calls = []

    def links(user, volunteer):
        calls.append((user.username, volunteer.pk))
        if volunteer.person_id != rep.pk:
            return []
        return [Link(label="积分银行伙伴", url="/partners/7/", note="积分 120")]

    monkeypatch.setitem(extensions._providers, "consultation.volunteer", [links])
    return calls


def _row(html: str, name: str) -> str:
    start = html.index(name)
    return html[start : html.index("</li>", start)]


def test_the_volunteers_page_shows_the_link_a_provider_gives_beside_that_volunteer_only(
    two_volunteers, provider, east_staff
):
    partner, other = two_volunteers
    html = _client(east_staff).get(reverse("consultation:compound_volunteers", args=[COMPOUND])).content.decode()
    row = _row(html, "孙代表")
    assert f'data-testid="volunteer-link-{partner.pk}"' in row
    assert '<a href="/partners/7/">积分银行伙伴</a>' in row
    assert "积分 120" in row
    assert f'data-testid="volunteer-link-{other.pk}"' not in html
    assert sorted(provider) == sorted([("east_staff", partner.pk), ("east_staff", other.pk)])


def test_the_compound_page_shows_the_same_link_to_the_person_viewing_it(two_volunteers, provider, rep):
    partner, _other = two_volunteers
    html = _client(rep).get(reverse("consultation:compound", args=[COMPOUND])).content.decode()
    assert '<a href="/partners/7/">积分银行伙伴</a>' in _row(html, "孙代表 · ")
    assert ("rep", partner.pk) in provider


def test_without_a_provider_the_volunteers_are_listed_without_links(two_volunteers, east_staff, monkeypatch):
    monkeypatch.delitem(extensions._providers, "consultation.volunteer", raising=False)
    html = _client(east_staff).get(reverse("consultation:compound_volunteers", args=[COMPOUND])).content.decode()
    assert "孙代表" in html
    assert "volunteer-link-" not in html
