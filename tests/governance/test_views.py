"""Core pages through the Django test client: sign-in and lockout, home, inbox, language, errors, CSP."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from governance import services, views
from governance.models import Notification, Role
from tests.conftest import DEMO_PASSWORD
from tests.csp import assert_csp_clean, inline_code_in

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- helpers --------------------------------------------------------------------------------------


def send(recipient, key: str, title: str = "新工单待处理", **kwargs) -> Notification:
    notification, _created = services.notification_send(recipient=recipient, key=key, title=title, **kwargs)
    return notification


def failed_login(client: Client, username: str = "worker"):
    return client.post(reverse("login"), {"username": username, "password": "wrong-password"})


@pytest.fixture
def worker_client(client, grid_worker) -> Client:
    client.force_login(grid_worker, backend=MODEL_BACKEND)
    return client


def test_the_scanner_finds_inline_scripts_styles_and_handlers():
    html = (
        '<script>alert(1)</script><script src="/static/a.js"></script><style>p{}</style>'
        '<p style="color:red" onclick="x()">x</p><a href="javascript:void(0)">y</a>'
    )
    assert len(inline_code_in(html)) == 5
    assert inline_code_in('<script src="/static/a.js" defer></script><p class="a">ok</p>') == []


# --- sign-in ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/inbox/", "/accounts/password/"])
def test_anonymous_visitor_is_redirected_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_login_page_is_in_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "社区治理门户" in html
    assert "用户名" in html
    assert "连续 5 次输错密码" in html  # the lockout rule is stated up front
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.usefixtures("no_failed_logins")
def test_wrong_password_shows_a_chinese_error_and_writes_no_session(client, grid_worker):
    response = failed_login(client)
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()  # checked before client.session, which would create one


@pytest.mark.usefixtures("no_failed_logins")
def test_right_password_signs_in_and_lands_on_home(client, grid_worker):
    response = client.post(reverse("login"), {"username": "worker", "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert int(client.session["_auth_user_id"]) == grid_worker.pk


@pytest.mark.usefixtures("no_failed_logins")
def test_five_failures_lock_the_account_even_with_the_right_password(client, grid_worker):
    for _ in range(4):
        assert failed_login(client).status_code == 200
    fifth = failed_login(client)
    assert fifth.status_code == 429

    response = client.post(reverse("login"), {"username": "worker", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "账号已锁定" in html
    assert "15 分钟" in html
    assert "_auth_user_id" not in client.session
    assert_csp_clean(response)


@pytest.mark.usefixtures("no_failed_logins")
def test_lockout_is_per_username(client, grid_worker, east_staff):
    for _ in range(5):
        failed_login(client, username="east_staff")
    response = client.post(reverse("login"), {"username": "worker", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post_form_and_signs_out(worker_client):
    html = worker_client.get(reverse("home")).content.decode()
    assert f'<form method="post" action="{reverse("logout")}">' in html
    response = worker_client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in worker_client.session


# --- home -------------------------------------------------------------------------------------------


def test_home_shows_the_users_role_and_a_card(worker_client, grid_worker):
    send(grid_worker, key="t:1")
    response = worker_client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "您好，王网格" in html
    assert "网格员" in html
    assert "东升花园" in html  # the post's area
    assert "消息通知" in html  # the core card
    assert "您有 1 条未读消息。" in html
    assert 'class="card card--warn"' in html
    assert f'href="{reverse("inbox")}"' in html
    assert 'class="bell__count" aria-hidden="true">1<' in html  # the unread badge in the top bar


def test_home_tells_a_person_without_a_post_to_ask_for_one(client, make_user):
    client.force_login(make_user(full_name="赵居民"), backend=MODEL_BACKEND)
    html = client.get(reverse("home")).content.decode()
    assert "尚未分配岗位" in html


@pytest.mark.parametrize(("is_staff", "shows_admin"), [(True, True), (False, False)])
def test_admin_link_is_in_the_menu_only_for_staff(client, make_user, area_tree, is_staff, shows_admin):
    user = make_user(Role.COMMUNITY_STAFF, area_tree["east"], is_staff=is_staff)
    client.force_login(user, backend=MODEL_BACKEND)
    html = client.get(reverse("home")).content.decode()
    assert (f'href="{reverse("admin:index")}"' in html) is shows_admin


# --- inbox ------------------------------------------------------------------------------------------


def test_inbox_highlights_unread_and_filters_to_unread(worker_client, grid_worker):
    read = send(grid_worker, key="t:read", title="已经看过的通知")
    services.notification_mark_read(notification=read)
    send(grid_worker, key="t:unread", title="还没看的通知")

    html = worker_client.get(reverse("inbox")).content.decode()
    assert "已经看过的通知" in html
    assert "还没看的通知" in html
    assert html.count("notice notice--unread") == 1

    html = worker_client.get(reverse("inbox"), {"show": "unread"}).content.decode()
    assert "还没看的通知" in html
    assert "已经看过的通知" not in html


def test_inbox_mark_read_via_htmx_returns_the_row_and_sets_read_at(worker_client, grid_worker):
    notification = send(grid_worker, key="t:1")
    send(grid_worker, key="t:2")

    response = worker_client.post(reverse("notification_read", args=[notification.pk]), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notice-{notification.pk}"' in html
    assert "notice--unread" not in html
    assert "已读" in html
    assert 'id="unread-badge"' in html
    assert 'hx-swap-oob="true"' in html  # the badge drops to the new count at once
    assert 'class="bell__count" aria-hidden="true">1<' in html
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert_csp_clean(response)


def test_inbox_mark_read_without_javascript_redirects_back_to_the_inbox(worker_client, grid_worker):
    notification = send(grid_worker, key="t:1")
    response = worker_client.post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == reverse("inbox")
    notification.refresh_from_db()
    assert notification.is_read


def test_inbox_rows_work_without_javascript_as_plain_post_forms(worker_client, grid_worker):
    notification = send(grid_worker, key="t:1", url="/grids/events/1/")
    html = worker_client.get(reverse("inbox")).content.decode()
    action = reverse("notification_read", args=[notification.pk])
    assert f'<form method="post" action="{action}"' in html
    assert f'hx-post="{action}"' in html
    assert 'name="follow" value="1"' in html


def test_marking_another_users_notification_read_is_not_found(worker_client, east_staff):
    theirs = send(east_staff, key="t:1")
    response = worker_client.post(reverse("notification_read", args=[theirs.pk]), **HTMX)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_only_accepts_post(worker_client, grid_worker):
    notification = send(grid_worker, key="t:1")
    assert worker_client.get(reverse("notification_read", args=[notification.pk])).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_clears_the_inbox(worker_client, grid_worker):
    for i in range(3):
        send(grid_worker, key=f"t:{i}")
    response = worker_client.post(reverse("notifications_read_all"), follow=True)
    assert "已将 3 条消息标为已读。" in response.content.decode()
    assert not Notification.objects.filter(recipient=grid_worker, read_at__isnull=True).exists()


def test_inbox_paginates_twenty_a_page_and_keeps_the_filter(worker_client, grid_worker):
    for i in range(25):
        send(grid_worker, key=f"t:{i}", title=f"通知{i:02d}")
    first = worker_client.get(reverse("inbox"), {"show": "unread"}).content.decode()
    assert first.count('class="notice notice--unread"') == 20
    assert "第 1 / 2 页" in first
    assert 'href="?show=unread&amp;page=2"' in first
    second = worker_client.get(reverse("inbox"), {"show": "unread", "page": 2}).content.decode()
    assert second.count('class="notice notice--unread"') == 5


# --- password ---------------------------------------------------------------------------------------


def test_password_change_page_changes_the_password(worker_client, grid_worker):
    assert "修改密码" in worker_client.get(reverse("password_change")).content.decode()
    response = worker_client.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": "Gen-xin-mima-2026", "new_password2": "Gen-xin-mima-2026"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "密码已修改。" in response.content.decode()
    grid_worker.refresh_from_db()
    assert grid_worker.check_password("Gen-xin-mima-2026")


def test_password_change_with_a_wrong_old_password_is_refused_in_chinese(worker_client, grid_worker):
    response = worker_client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Gen-xin-mima-2026", "new_password2": "Gen-xin-mima-2026"},
    )
    assert response.status_code == 200
    assert "你的旧密码不正确" in response.content.decode()
    grid_worker.refresh_from_db()
    assert grid_worker.check_password(DEMO_PASSWORD)


# --- language ---------------------------------------------------------------------------------------


def test_language_switch_to_english_changes_the_page_language(worker_client):
    response = worker_client.post(reverse("set_language"), {"language": "en", "next": reverse("inbox")})
    assert response.status_code == 302
    assert response.url == reverse("inbox")
    assert response.cookies["portal_language"].value == "en"

    page = worker_client.get(reverse("inbox"))
    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()

    worker_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in worker_client.get(reverse("home")).content.decode()


def test_language_switch_is_offered_on_the_login_page(client, db):
    html = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'value="en"' in html
    assert ">English</button>" in html
    assert ">简体中文</button>" in html


def test_a_browser_set_to_english_still_gets_chinese_pages(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in response.content.decode()


# --- errors -----------------------------------------------------------------------------------------


def test_unknown_page_shows_the_friendly_404(worker_client):
    response = worker_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "找不到这个页面" in html
    assert f'href="{reverse("home")}"' in html
    assert_csp_clean(response)


def test_unknown_page_is_friendly_for_anonymous_visitors_too(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到这个页面" in response.content.decode()


def test_403_page_is_friendly_and_links_home(rf: RequestFactory, grid_worker):
    request = rf.get("/somewhere/")
    request.user = grid_worker
    response = views.error_403(request)
    assert response.status_code == 403
    html = response.content.decode()
    assert "没有权限访问该页面" in html
    assert f'href="{reverse("home")}"' in html
    assert inline_code_in(html) == []


def test_expired_form_shows_the_friendly_csrf_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "worker", "password": "x"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert_csp_clean(response)


def test_500_page_renders_without_a_request_context():
    html = render_to_string("500.html")
    assert "服务器出错了" in html
    assert 'href="/"' in html
    assert inline_code_in(html) == []


# --- every page: CSP header and no inline code ------------------------------------------------------


@pytest.mark.parametrize("url", ["/accounts/login/", "/no-such-page/"])
def test_anonymous_pages_send_csp_and_have_no_inline_code(client, db, url):
    assert_csp_clean(client.get(url))


@pytest.mark.parametrize(
    "url", ["/", "/inbox/", "/inbox/?show=unread", "/inbox/?page=2", "/accounts/password/", "/no-such-page/"]
)
def test_signed_in_pages_send_csp_and_have_no_inline_code(worker_client, grid_worker, url):
    for i in range(21):
        send(grid_worker, key=f"t:{i}", body="东升花园3号楼\n楼道灯不亮", url="/grids/events/1/")
    assert_csp_clean(worker_client.get(url))


@pytest.mark.usefixtures("no_failed_logins")
def test_failed_login_page_sends_csp_and_has_no_inline_code(client, grid_worker):
    assert_csp_clean(failed_login(client))


def test_password_change_errors_send_csp_and_have_no_inline_code(worker_client):
    response = worker_client.post(reverse("password_change"), {"old_password": "x"})
    assert response.status_code == 200
    assert_csp_clean(response)
