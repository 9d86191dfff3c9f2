"""gunicorn settings for the portal (``gunicorn -c gunicorn.conf.py governance.wsgi``, see the Procfile).

- Bound to ``HOST``:``PORT`` (127.0.0.1:8000 unless set), ``WEB_CONCURRENCY`` workers.
- The access log never writes a query string (Open311 carries ``api_key``, ``phone`` and ``email``
  there) nor the referrer (which may carry one): ``%(U)s`` is the path alone. Every line, access and
  error, goes through the same masking filter as the portal's own logs.
- The control socket (gunicorn ≥ 25.1, ``gunicornc``) lives under the project's ``var/``, one per
  port, instead of one shared ``~/.gunicorn/gunicorn.ctl`` for every gunicorn on the host.
"""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)
sys.path.insert(0, str(BASE_DIR))  # governance.masking, for the logging filter below

_host = os.environ.get("HOST") or "127.0.0.1"
_port = os.environ.get("PORT") or "8000"

wsgi_app = "governance.wsgi:application"
bind = [f"{_host}:{_port}"]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
timeout = 60

control_socket = str(VAR_DIR / f"gunicorn-{_port}.ctl")
control_socket_mode = 0o600

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

_MASK = {"()": "governance.masking.MaskPersonalDataFilter"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": _MASK},
    "formatters": {
        "error": {
            "()": "governance.masking.MaskingFormatter",
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "access": {"()": "governance.masking.MaskingFormatter", "format": "%(message)s"},
    },
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["mask_personal_data"],
            "formatter": "error",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["mask_personal_data"],
            "formatter": "access",
        },
    },
    "root": {"level": "INFO", "handlers": ["error_console"], "filters": ["mask_personal_data"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access_console"], "propagate": False},
    },
}
