"""Production settings plus the benchmark's bare baseline views; used only by tests/load."""

from governance.settings import *  # noqa: F403

ROOT_URLCONF = "tests.load.bench_urls"

# The throttles stay in place (their cache round trip is part of what is measured), with limits
# no single benchmark client reaches: 300 creates in a few seconds from one user.
RATE_LIMITS = {**RATE_LIMITS, "writes": "1000000/min", "token": "1000000/min"}  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATE_LIMITS}  # noqa: F405
