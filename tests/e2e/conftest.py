"""Real-browser fixtures: a headless Chromium (the system one, no Playwright download) driven by
Playwright's sync API against pytest-django's ``live_server``.

Playwright's sync API runs an event loop in the test thread, which Django's async-safety check
would otherwise take for async code touching the database.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections

from tests.conftest import require

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PLAYWRIGHT_MISSING = "needs Playwright: pip install -e '.[dev]'"

try:
    from playwright import sync_api
except ImportError:  # the test modules import it too: each becomes one item that says so (below)
    sync_api = None


class PlaywrightMissing(pytest.Item):
    """Stands for a browser test module that cannot be imported: skips, or fails under
    ``REQUIRE_SERVICES=1``, through the same ``require()`` as every other missing tool."""

    def runtest(self) -> None:
        require(False, PLAYWRIGHT_MISSING)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: {PLAYWRIGHT_MISSING}"


class BrowserModuleWithoutPlaywright(pytest.File):
    def collect(self):
        yield PlaywrightMissing.from_parent(self, name="needs_playwright")


def pytest_pycollect_makemodule(module_path, parent):
    if sync_api is None and module_path.name.startswith("test_"):
        return BrowserModuleWithoutPlaywright.from_parent(parent, path=module_path)
    return None


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@dataclass
class BrowserLog:
    """What the browser complained about while a test ran."""

    csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def on_console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text:
            self.csp.append(text)
        elif message.type == "error":
            self.errors.append(text)

    def on_page_error(self, error) -> None:
        self.errors.append(f"uncaught: {error}")


@pytest.fixture
def browser(chromium_path) -> Iterator:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # ORM calls made by the test while Playwright's loop runs get their own connection (Django
        # keeps connections per context); close it here, or the test database cannot be dropped.
        connections.close_all()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


def open_page(browser, live_server, browser_log: BrowserLog, options: dict) -> tuple:
    """``(context, page)``: a page in a new browser context (``PHONE``, ``SMALL_PHONE``, ``DESKTOP``…)
    on the live server, watched by ``browser_log``. For a test's second page; close the context."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", browser_log.on_console)
    page.on("pageerror", browser_log.on_page_error)
    return context, page


def _page(browser, live_server, browser_log: BrowserLog, options: dict) -> Iterator:
    context, page = open_page(browser, live_server, browser_log, options)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, browser_log) -> Iterator:
    """A page in a phone-sized, touch, zh-CN browser context."""
    yield from _page(browser, live_server, browser_log, PHONE)


@pytest.fixture
def desktop_page(browser, live_server, browser_log) -> Iterator:
    yield from _page(browser, live_server, browser_log, DESKTOP)


@pytest.fixture
def small_phone_page(browser, live_server, browser_log) -> Iterator:
    """A page in a 360×740 phone context, the smallest screen the pages are made for."""
    yield from _page(browser, live_server, browser_log, SMALL_PHONE)


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the real form, starting from the home page (which redirects to login)."""
    page.goto("/")
    page.wait_for_url("**/accounts/login/?next=/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("form.form").get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
