"""Logs carry no personal data: the root logger, Django's, Celery's and gunicorn's loggers, the
console email backend and the console SMS backend all write masked text; gunicorn's access log
writes no query string."""

import http.client
import io
import logging
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from governance.mail import MaskingConsoleEmailBackend
from governance.masking import MaskPersonalDataFilter
from governance.sms import ConsoleSmsBackend

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def root_output():
    """What the root logger's configured handler writes (its stream swapped for a buffer)."""
    handler = portal_handlers(logging.getLogger())[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


@pytest.mark.parametrize(
    "name", ["root", "celery", "celery.task", "celery.worker", "celery.task.grids.tasks", "django", "django.request"]
)
def test_a_phone_logged_through_any_portal_logger_comes_out_masked(root_output, name):
    logger = logging.getLogger() if name == "root" else logging.getLogger(name)
    logger.warning("回电 %s，邮箱 %s", "13912345678", "wang.li@example.com")
    text = root_output.getvalue()
    assert "回电 139****5678，邮箱 w***@example.com" in text
    assert "13912345678" not in text
    assert "wang.li@example.com" not in text


def portal_handlers(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers settings.LOGGING configured (pytest adds capture handlers of its own)."""
    return [h for h in logger.handlers if type(h) is logging.StreamHandler]


def test_the_root_logger_and_its_handlers_carry_the_masking_filter():
    root = logging.getLogger()
    assert any(isinstance(f, MaskPersonalDataFilter) for f in root.filters)
    assert portal_handlers(root)
    for handler in portal_handlers(root):
        assert any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters)


def test_celery_and_django_loggers_have_no_unmasked_handler_of_their_own():
    for name in ("django", "celery", "celery.task", "celery.worker"):
        logger = logging.getLogger(name)
        assert logger.handlers == [], name
        assert logger.propagate is True, name


def test_celery_keeps_the_portal_logging_when_a_worker_sets_up_logging(root_output):
    from governance.celery import app

    app.log.already_setup = False
    saved = {k: os.environ.get(k) for k in ("_MP_FORK_LOGLEVEL_", "_MP_FORK_LOGFILE_", "_MP_FORK_LOGFORMAT_")}
    try:
        app.log.setup_logging_subsystem(loglevel="INFO")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    handlers = portal_handlers(logging.getLogger())
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters)
    assert logging.getLogger("celery.task").handlers == []
    buffer = io.StringIO()
    handlers[0].setStream(buffer)
    logging.getLogger("celery.task").warning("家属电话 %s", "13912345678")
    assert "家属电话 139****5678" in buffer.getvalue()


def test_the_console_sms_backend_prints_the_text_masked(capsys):
    ConsoleSmsBackend().send(phone="13812340004", text="独居老人王某某求助，家属电话13912345678")
    out = capsys.readouterr().out
    assert out == "[SMS to 138****0004] 独居老人王某某求助，家属电话139****5678\n"


def test_the_embedded_default_email_backend_is_the_masking_console():
    from environ import Env

    config = Env.email_url_config("consolemail://")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "governance.settings", "EMAIL_URL": "consolemail://"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "governance.mail.MaskingConsoleEmailBackend"


def test_the_console_email_backend_prints_subject_body_and_addresses_masked():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="回电 13912345678",
        body="家属电话138-1234-0004，邮箱 wang.li@example.com",
        from_email="noreply@portal.local",
        to=["wang.li@example.com"],
    )
    message.attach_alternative("<p>身份证110101199003071234</p>", "text/html")
    MaskingConsoleEmailBackend(stream=stream).send_messages([message])
    out = stream.getvalue()
    for secret in ("13912345678", "138-1234-0004", "wang.li@example.com", "110101199003071234"):
        assert secret not in out
    assert "To: w***@example.com" in out
    assert "家属电话138****0004，邮箱 w***@example.com" in out
    assert "<p>身份证110***********1234</p>" in out
    assert message.subject == "回电 13912345678"  # the message itself is not changed
    assert message.to == ["wang.li@example.com"]


# --- gunicorn, for real -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _procfile_web_command() -> str:
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("no web line in the Procfile")


def test_the_procfile_web_line_uses_the_gunicorn_config():
    assert shlex.split(_procfile_web_command())[:3] == ["gunicorn", "-c", "gunicorn.conf.py"]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture
def gunicorn_server(tmp_path):
    """The Procfile's web line on a random free port, on a fresh migrated SQLite database."""
    port = _free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DJANGO_SETTINGS_MODULE": "governance.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "memory://",
        "CELERY_TASK_ALWAYS_EAGER": "True",
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": "test-secret-key-for-the-gunicorn-log-test-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True)
    out, err = tmp_path / "access.log", tmp_path / "error.log"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            shlex.split(_procfile_web_command()),
            cwd=BASE_DIR,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert process.poll() is None, err.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield {"out": out, "err": err, "port": port, "process": process}
    finally:
        stop(process)


def test_gunicorns_access_log_writes_no_query_string_nor_personal_data(gunicorn_server):
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn_server["port"], timeout=30)
    connection.request(
        "GET",
        "/open311/v2/requests.json?api_key=SECRETKEY123&phone=13912345678&email=a@b.cn",
        headers={"Referer": "http://127.0.0.1/track/?phone=13912345678&api_key=SECRETKEY123"},
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200
    stop(gunicorn_server["process"])  # every log line flushed
    access = gunicorn_server["out"].read_text()
    errors = gunicorn_server["err"].read_text()
    assert '"GET /open311/v2/requests.json HTTP/1.1" 200' in access
    for secret in ("SECRETKEY123", "13912345678", "a@b.cn", "api_key", "phone="):
        assert secret not in access
        assert secret not in errors


def test_gunicorns_control_socket_lives_under_the_projects_var(gunicorn_server):
    socket_path = BASE_DIR / "var" / f"gunicorn-{gunicorn_server['port']}.ctl"
    deadline = time.monotonic() + 10
    while not socket_path.exists():
        assert time.monotonic() < deadline, gunicorn_server["err"].read_text()
        time.sleep(0.1)
    assert socket_path.is_socket()
