"""The admin's grid page in a real Chromium under the portal's CSP: a boundary drawn on the map
(no tile server: over the other grids' outlines) is what gets saved; the page reads in Chinese
and in English, the two-box worker picker included."""

import json

import pytest
from playwright.sync_api import expect

from governance import services as core
from grids.models import Grid
from tests.conftest import DEMO_PASSWORD
from tests.grids import conftest as grids_fixtures
from tests.grids.conftest import square

pytestmark = pytest.mark.e2e
east_grid = grids_fixtures.east_grid
west_grid = grids_fixtures.west_grid


@pytest.fixture
def superuser(db):
    return core.user_create(
        username="root", password=DEMO_PASSWORD, full_name="管理员", is_staff=True, is_superuser=True
    )


def _sign_in_to(page, path: str) -> None:
    page.goto(f"/accounts/login/?next={path}")
    page.locator("input[name=username]").fill("root")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"**{path}")


def _draw(page, corners) -> None:
    """Click the polygon tool, then each corner (fractions of the map's box; the last closes it)."""
    page.locator(".leaflet-draw-draw-polygon").click()
    box = page.locator("[data-boundary-map]").bounding_box()
    for fx, fy in corners:
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(120)
    expect(page.locator("path.boundary-widget__shape")).to_have_count(1)


def test_a_boundary_drawn_on_the_map_is_saved(desktop_page, superuser, east_grid, west_grid, browser_log, screenshots):
    page = desktop_page
    _sign_in_to(page, "/admin/grids/grid/add/")
    expect(page.locator(".boundary-widget__label", has_text="东升第一网格")).to_be_visible()
    page.locator("#id_code").fill("DS-G2")
    page.locator("#id_name").fill("东升第二网格")
    page.locator("#id_area").select_option(label="东升社区")
    page.locator("#id_households").fill("380")

    # zoomed out one step, the two grids fill the middle: the new one goes in the free north-east
    page.locator(".leaflet-control-zoom-out").click()
    page.wait_for_timeout(400)
    _draw(page, [(0.8, 0.06), (0.95, 0.06), (0.95, 0.22), (0.8, 0.22), (0.8, 0.06)])
    page.screenshot(path=screenshots / "e2e-admin-grid-drawn-zh.png", full_page=True)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    grid = Grid.objects.get(code="DS-G2")
    ring = grid.boundary["coordinates"][0]
    assert grid.boundary["type"] == "Polygon"
    assert len(ring) == 5
    assert ring[0] == ring[-1]
    assert grid.min_lon < grid.max_lon
    assert grid.min_lat < grid.max_lat
    # the saved grid is drawn again on its page, the others beneath
    expect(page.locator("path.boundary-widget__shape")).to_have_count(1)
    expect(page.locator(".boundary-widget__label", has_text="西苑第一网格")).to_be_visible()
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_a_boundary_drawn_over_a_neighbour_is_refused_on_the_form_with_the_drawing_kept(
    desktop_page, superuser, east_grid, west_grid, browser_log, screenshots
):
    page = desktop_page
    _sign_in_to(page, "/admin/grids/grid/add/")
    page.locator("#id_code").fill("DS-G2")
    page.locator("#id_name").fill("东升第二网格")
    page.locator("#id_area").select_option(label="东升社区")
    page.locator("#id_households").fill("380")
    _draw(page, [(0.08, 0.1), (0.3, 0.1), (0.3, 0.4), (0.08, 0.4), (0.08, 0.1)])  # over 东升第一网格
    page.locator("input[name=_continue]").click()

    error = page.locator(".field-boundary .errorlist")
    expect(error).to_contain_text("边界与已启用的网格“东升第一网格”（DS-G1，约")
    expect(error).to_contain_text("相邻网格可以共用边线，但不能重叠，请调整边界。")
    expect(page.locator("path.boundary-widget__shape")).to_have_count(1)  # what was drawn, drawn again
    expect(page.locator("#id_name")).to_have_value("东升第二网格")
    expect(page.locator("#id_households")).to_have_value("380")
    page.screenshot(path=screenshots / "e2e-admin-grid-overlap-zh.png", full_page=True)
    assert not Grid.objects.filter(code="DS-G2").exists()
    assert browser_log.csp == []
    assert browser_log.errors == []


def test_the_grid_page_in_english_has_no_chinese_interface_words(
    browser, live_server, superuser, east_grid, browser_log, screenshots
):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_cookies([{"name": "portal_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.on("console", browser_log.on_console)
    page.on("pageerror", browser_log.on_page_error)
    _sign_in_to(page, f"/admin/grids/grid/{east_grid.pk}/change/")

    expect(page.locator(".leaflet-draw-draw-polygon")).to_have_attribute("title", "Draw the grid boundary")
    expect(page.locator(".leaflet-draw-edit-edit")).to_have_attribute("title", "Edit the boundary")
    expect(page.locator("#id_workers_from_title")).to_contain_text("Available Grid workers")
    expect(page.locator(".selector-available .helptext, .selector-available-title p").first).to_contain_text(
        "Choose Grid workers by selecting them"
    )
    expect(page.locator("path.boundary-widget__shape")).to_have_count(1)
    page.screenshot(path=screenshots / "e2e-admin-grid-en.png", full_page=True)
    body = page.locator("#content-main").inner_text()
    data_words = {"东升第一网格", "东升社区", "西苑社区", "王网格"}  # names in the data, not interface words
    for text in data_words:
        body = body.replace(text, "")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in body), body
    assert browser_log.csp == []
    assert browser_log.errors == []
    context.close()


def test_a_grid_page_with_a_boundary_typed_as_geojson_draws_it(desktop_page, superuser, db, area_tree, browser_log):
    """The textarea stays the source of truth: what is pasted there is drawn."""
    page = desktop_page
    _sign_in_to(page, "/admin/grids/grid/add/")
    expect(page.locator("path.boundary-widget__shape")).to_have_count(0)
    page.locator(".boundary-widget-geojson summary").click()
    page.locator("#id_boundary").fill(json.dumps(square(116.3, 39.98)))
    page.locator("#id_boundary").dispatch_event("change")
    expect(page.locator("path.boundary-widget__shape")).to_have_count(1)
    assert browser_log.errors == []
