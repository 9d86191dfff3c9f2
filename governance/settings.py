"""Settings for the community-governance portal.

Everything is read from the environment (django-environ); production differs from the embedded
default only by its variables. With nothing set: SQLite under ``var/``, Celery's broker on the
local filesystem, DEBUG on. ``.env.example`` lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="insecure-dev-key-only-for-the-embedded-default-change-me" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    "governance",
    "governance.consultation",
    "grids",
    "partners",
    "mediation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "governance.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "governance.middleware.PortalLocaleMiddleware",
    "governance.input_guard.NulCharacterGuardMiddleware",
    "governance.middleware.MachineErrorsAsJsonMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "governance.middleware.PortalLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
CSRF_FAILURE_VIEW = "governance.views.csrf_failure"
WSGI_APPLICATION = "governance.wsgi.application"
ASGI_APPLICATION = "governance.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "governance.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = VAR_DIR / "celery"
    for sub in ("out", "processed", "control"):
        (_celery_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "data_folder_processed": str(_celery_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_celery_dir / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="portal")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Rate limits and degraded mode (Redis down) ---------------------------------------------
# Limits per scope, "N/s|min|h|d", counted in the default cache (Redis when REDIS_URL is set, so
# every web process shares the counts); an empty value switches a limit off. governance/throttles.py.
RATE_LIMITS = {
    "token": env("RATE_LIMIT_TOKEN", default="20/min"),  # POST /api/v1/auth/token/ per client IP
    "login": env("RATE_LIMIT_LOGIN", default="30/h"),  # failed sign-ins on /accounts/login/ per client IP
    "open311": env("RATE_LIMIT_OPEN311", default="30/min"),  # Open311 POST requests per api_key
    "sensor": env("RATE_LIMIT_SENSOR", default="60/h"),  # POST /api/v1/sensors/alerts/ per device
    "writes": env("RATE_LIMIT_WRITES", default="120/min"),  # API POST/PUT/PATCH/DELETE per signed-in user
}
# The client IP for the limits and the lockout alike (AXES_PROXY_COUNT proxies trusted; django-ipware
# is not installed, so without this axes would ignore AXES_PROXY_COUNT and see only the proxy).
AXES_CLIENT_IP_CALLABLE = "governance.throttles.client_ip"
# Redis down is a degraded state, not an outage: the cache falls back to a per-process memory
# cache (governance/cache.py) and never waits more than half a second for Redis ...
if REDIS_URL:
    CACHES["default"]["BACKEND"] = "governance.cache.DegradableRedisCache"
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
# ... and publishing a task to a dead broker fails within about a second instead of hanging
# (kombu retries a lost connection forever unless max_retries is set).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "socket_connect_timeout": 1,
            "socket_timeout": 5,  # above the worker's 1-second BRPOP, so a quiet queue is not an error
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.2,
        }
    )

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "governance.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: 5 failures for the same username from the same IP, 15 minutes' cool-off.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "governance.views.locked_out"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)  # checked from the header, before decoding
UPLOAD_IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"]
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email, SMS, site -----------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    EMAIL_CONFIG["EMAIL_BACKEND"] = "governance.mail.MaskingConsoleEmailBackend"  # prints masked text
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="社区治理门户 <noreply@portal.local>")
SMS_BACKEND = env("SMS_BACKEND", default="governance.sms.ConsoleSmsBackend")
PORTAL_NAME = _("社区治理门户")
MEDIATION_DEADLINE_DAYS = env.int("MEDIATION_DEADLINE_DAYS", default=30)  # mediation: days from acceptance
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# The outbox (governance/outbox.py): the scan delivers email/SMS older than the min age that no
# task delivered; a claim older than the timeout is a worker that died mid-send, retried.
NOTIFICATION_SCAN_MIN_AGE_SECONDS = env.int("NOTIFICATION_SCAN_MIN_AGE_SECONDS", default=60)
NOTIFICATION_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=180)
OPEN311_JURISDICTION_ID = env("OPEN311_JURISDICTION_ID", default="portal.local")
OPEN311_CONTACT = env("OPEN311_CONTACT", default="")
# Map tiles on the intranet, e.g. http://tiles.intranet/{z}/{x}/{y}.png; empty = boundaries without tiles.
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
# The coordinate system of those tiles: wgs84 (OpenStreetMap-style), gcj02 (most Chinese intranet and
# AMap/Tencent tiles) or bd09 (Baidu). Points are stored in WGS-84 and converted for drawing.
MAP_TILE_CRS = env("MAP_TILE_CRS", default="wgs84").lower()

# --- REST framework and OpenAPI -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.authentication.PortalTokenAuthentication",  # DRF's, with the posts in the same query
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Denied by default: every endpoint states its own rule.
    "DEFAULT_PERMISSION_CLASSES": ["governance.permissions.DenyAll"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "governance.pagination.PortalPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "governance.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "governance.schema.PortalAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bounded in size and depth; a JSON body must be an object (governance/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "governance.parsers.JSONObjectParser",
        "governance.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Every API write is limited per user; the token, sensor and Open311 doors set their own.
    "DEFAULT_THROTTLE_CLASSES": ["governance.throttles.WriteRateThrottle"],
    "DEFAULT_THROTTLE_RATES": RATE_LIMITS,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "社区治理门户 API",
    "DESCRIPTION": "Community-governance portal: grids, consultation, partners and mediation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "AreaLevelEnum": "governance.models.Area.Level",
        "EventLevelEnum": "grids.models.Event.Level",
        "EventStatusEnum": "grids.models.Event.Status",
        "EventSourceEnum": "grids.models.Event.Source",
        "ReportSourceEnum": "grids.serializers.REPORT_SOURCE_CHOICES",
        "PatrolStatusEnum": "grids.models.Patrol.Status",
        "ServiceItemKindEnum": "governance.consultation.models.ServiceItem.Kind",
        "PartnerKindEnum": "partners.models.Partner.Kind",
        "RewardKindEnum": "partners.models.Reward.Kind",
        "CaseStatusEnum": "mediation.models.Case.Status",
        "FollowUpOutcomeEnum": "mediation.models.FollowUp.Outcome",
        "AttendanceOutcomeEnum": ["done", "no_show"],
        "CaseSourceEnum": "mediation.models.Case.Source",
        "PartyRoleEnum": "mediation.models.Party.Role",
        "SessionStatusEnum": "mediation.models.Session.Status",
        "FollowUpStatusEnum": "mediation.models.FollowUp.Status",
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS: on by default whenever DEBUG is off (production, behind a TLS-terminating proxy). Each can
# be turned off on its own: `make run` serves plain http on loopback with DEBUG off and sets them
# False/0, and a proxy that already redirects may set DJANGO_SECURE_SSL_REDIRECT=False.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Browser features: the camera (photos) and geolocation (reports, patrols) for the portal itself,
# every other powerful feature off. Only features browsers recognise (others log console errors).
PERMISSIONS_POLICY = {
    "camera": ("self",),
    "geolocation": ("self",),
    **dict.fromkeys(
        [
            "accelerometer",
            "autoplay",
            "display-capture",
            "encrypted-media",
            "gyroscope",
            "hid",
            "idle-detection",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "publickey-credentials-get",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        ],
        (),
    ),
}
# Responses carrying a person's full contact details are never stored (Cache-Control: no-store).
NO_STORE_VIEWS = [
    "grids:event_contact",  # POST /events/<pk>/contact/: the reporter's number, revealed
    "event-contact",  # GET /api/v1/events/{id}/contact/
    "api-me",  # GET /api/v1/me/: the user's own phone
    "admin:governance_user_change",  # a person's record in the admin, phone and ID number in full
]

# Only the portal's own assets: no CDN, no inline script, no inline style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env.list("MAP_TILE_ORIGINS", default=[])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Logging: personal data is masked in every record --------------------------------------------
# The filter sits on the root logger and on every handler; the loggers below that carry handlers of
# their own elsewhere (Django's default "django" console, Celery's task logger) are reset to
# propagate to the root's masked handler. Celery keeps this configuration (governance/celery.py);
# gunicorn's own loggers are configured by gunicorn.conf.py with the same filter.
_LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "governance.masking.MaskPersonalDataFilter"}},
    "formatters": {
        "plain": {
            "()": "governance.masking.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "filters": ["mask_personal_data"], "level": _LOG_LEVEL},
    "loggers": {
        **{
            name: {"handlers": [], "filters": ["mask_personal_data"], "propagate": True}
            for name in ("django", "celery", "celery.task", "celery.worker", "celery.redirected", "py.warnings")
        },
        "django.server": {"handlers": ["console"], "filters": ["mask_personal_data"], "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
