"""The portal in English on a 360×740 phone: no Chinese data strings on a worker's and a staff member's
main pages — category names, notification titles and system timeline notes come in English.

Setup: a grid worker's patrol finding (category 井盖破损 / "Broken manhole cover") that went past its
deadline and was escalated to the community (督办), in areas, a grid and a department that have
English names. The only Chinese left on the pages is what people typed (the description, the
address) and people's names, which this test lists explicitly: a Chinese area, grid or department
name on a page fails it. Screenshots: var/screenshots/english-*.png.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from governance import services as core
from grids.models import Event, Grid
from grids.services import escalate_overdue, event_accept, event_dispatch
from tests.e2e.conftest import SMALL_PHONE
from tests.grids import conftest as grids_fixtures

east_grid = grids_fixtures.east_grid
manhole = grids_fixtures.manhole
municipal = grids_fixtures.municipal
report = grids_fixtures.report

pytestmark = pytest.mark.e2e

PHONE_360_EN = {**SMALL_PHONE, "locale": "en-US"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
# Chinese that is data people typed, allowed on an English page: not the names of places or units.
PEOPLES_DATA = [
    "北门井盖缺失",  # the description
    "北门岗亭旁",  # the address
    "王网格",  # the worker
    "李社区",  # the staff member
]
# What must never show in English: the category, notices and system notes, status and level labels,
# and the Chinese names of the areas, the grid and the department.
NEVER = [
    "井盖破损",
    "来源",
    "网格巡查",
    "已上报",
    "超过响应期限",
    "督办",
    "提醒",
    "升级",
    "事件 ",
    "社区督办",
    "东升第一网格",
    "东升社区",
    "东升花园",
    "中关村街道",
    "海淀区",
    "市政所",
]
ENGLISH_AREAS = {
    "district": "Haidian District",
    "street": "Zhongguancun Street",
    "east": "Dongsheng Community",
    "west": "Xiyuan Community",
    "east_compound": "Dongsheng Garden",
    "west_compound": "Xiyuan Estate",
    "east_building": "Building 1",
}


def name_in_english(area_tree, grid, department) -> None:
    for key, name_en in ENGLISH_AREAS.items():
        core.area_rename(area=area_tree[key], name=area_tree[key].name, name_en=name_en)
    Grid.objects.filter(pk=grid.pk).update(name_en="Dongsheng Grid 1")
    core.department_update(
        department=department,
        name=department.name,
        name_en="Municipal Works Office",
        code=department.code,
        kind=department.kind,
        area=department.area,
    )


def english_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, **PHONE_360_EN)
    context.set_default_timeout(15_000)
    host = urlsplit(live_server.url).hostname
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"},
        ]
    )
    return context


def chinese_left(text: str) -> list[str]:
    return sorted({run for run in CJK.findall(text) if not any(run in data for data in PEOPLES_DATA)})


def walk(page, screenshots, who: str, paths: list[str]) -> dict[str, str]:
    texts = {}
    for index, path in enumerate(paths, start=1):
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        page.screenshot(path=screenshots / f"english-{who}-{index}.png", full_page=True)
        texts[path] = page.locator("body").inner_text()
    return texts


def test_a_worker_and_a_staff_member_see_no_chinese_data_strings_in_english(
    browser, live_server, browser_log, screenshots, area_tree, grid_worker, east_staff, east_grid, manhole, report
):
    name_in_english(area_tree, east_grid, manhole.department)
    event = report(description="北门井盖缺失", address="北门岗亭旁")
    Event.objects.filter(pk=event.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
    assert escalate_overdue() == 1
    detail = f"/events/{event.pk}/"
    # A second finding, sent to the department by the dispatch rule.
    sent = report(description="北门井盖缺失", address="北门岗亭旁")
    sent = event_dispatch(event=event_accept(event=sent, actor=east_staff), actor=east_staff)
    sent_detail = f"/events/{sent.pk}/"

    pages = {
        "worker": (grid_worker, ["/", "/grid/", "/events/new/", detail, "/my/reports/", "/inbox/"]),
        "staff": (east_staff, ["/", "/queue/", detail, sent_detail, "/inbox/", f"/track/{sent.code}/"]),
    }
    seen = {}
    for who, (user, paths) in pages.items():
        context = english_context(browser, live_server, user)
        page = context.new_page()
        page.on("console", browser_log.on_console)
        page.on("pageerror", browser_log.on_page_error)
        seen[who] = walk(page, screenshots, who, paths)
        # The brand is whole on the phone: its box is not cut (no ellipsis, no clipped overflow).
        brand = page.locator(".topbar__name")
        assert brand.inner_text() == "Community Governance Portal"
        assert page.evaluate(
            "(() => { const n = document.querySelector('.topbar__name'); return n.scrollWidth <= n.clientWidth"
            " && n.scrollHeight <= n.clientHeight + 1; })()"
        )
        context.close()

    for who, texts in seen.items():
        for path, text in texts.items():
            for word in NEVER:
                assert word not in text, (who, path, word)
            assert chinese_left(text) == [], (who, path, chinese_left(text))

    # What the English pages do say, in English.
    assert "Broken manhole cover" in seen["worker"]["/events/new/"]
    assert "Broken manhole cover" in seen["staff"][detail]
    assert "Source: Grid patrol" in seen["staff"][detail]
    # The names of places and units, in English.
    assert "Dongsheng Grid 1 (Dongsheng Community)" in seen["staff"][detail]
    assert "Dispatched to Municipal Works Office (by dispatch rule)" in seen["staff"][sent_detail]
    assert "Chase Municipal Works Office" in seen["staff"][sent_detail]
    assert "Dongsheng Grid 1" in seen["staff"]["/queue/"]
    assert "Dongsheng Community" in seen["staff"]["/"]
    assert "Dongsheng Garden" in seen["worker"]["/"]
    assert "Dongsheng Grid 1" in seen["worker"]["/grid/"]
    assert "Dongsheng Community" in seen["worker"]["/grid/"]
    assert "Dongsheng Grid 1" in seen["staff"][f"/track/{sent.code}/"]
    assert "Municipal Works Office" in seen["staff"][f"/track/{sent.code}/"]
    assert "No response by the deadline; escalated to Community level" in seen["staff"][detail]
    assert (
        f"[Escalation] Event {event.code} is overdue and has been escalated to Community level"
        in seen["staff"]["/inbox/"]
    )
    assert browser_log.csp == []
    assert browser_log.errors == []
