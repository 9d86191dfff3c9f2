"""Who may open each partners staff page, for every demo account: the answers as literal data.

The pages ask the partners policy (``policies.staff_pages_can(...).raise_for_page()``), not a role
list in a decorator; a refusal is the 403 page with the policy's reason, and anyone signed out is
sent to the login page.
"""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from governance.models import User

pytestmark = pytest.mark.django_db

PAGES = [
    "applications",
    "records",
    "adjustments",
    "ledger",
    "staff_rules",
    "staff_rewards",
    "staff_projects",
    "staff_project_new",
]

# demo account (governance/demo.py, partners/demo.py) → the status of every page above
ANSWERS = {
    "admin": 200,  # 系统管理员 (superuser)
    "supervisor": 200,  # 街道督办, the street
    "staff": 200,  # 社区工作人员, 东升社区
    "staff_xy": 200,  # 社区工作人员, 西苑社区
    "worker": 403,  # 网格员
    "handler": 403,  # 处置单位人员
    "mediator": 403,  # 调解员
    "partner": 403,  # 社区合伙人
    "merchant": 403,  # 社区合伙人 (a merchant)
    "resident": 403,  # 居民
}


@pytest.fixture
def demo():
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)


@pytest.mark.parametrize("username", list(ANSWERS))
def test_each_demo_account_gets_the_same_answer_on_every_staff_page(demo, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    answers = {page: client.get(reverse(f"partners:{page}")).status_code for page in PAGES}
    assert answers == dict.fromkeys(PAGES, ANSWERS[username])


def test_a_refusal_names_the_reason(demo):
    client = Client()
    client.force_login(User.objects.get(username="resident"))
    for page in ("applications", "records", "adjustments", "ledger"):
        response = client.get(reverse(f"partners:{page}"))
        assert response.status_code == 403
        assert "只有社区工作人员可以查看此页面。" in response.content.decode()


def test_signed_out_is_sent_to_the_login_page(demo):
    for page in PAGES:
        response = Client().get(reverse(f"partners:{page}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
