"""Test settings: the real settings plus a fast hasher, in-memory mail and SMS, inline Celery."""

from governance.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "governance.sms.LocmemSmsBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# High enough that no test trips a limit by accident; tests of the limits set their own.
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "100000/min")  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATE_LIMITS}  # noqa: F405
