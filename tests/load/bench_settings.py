"""Production settings plus the benchmark's bare baseline views; used only by tests/load."""

from governance.settings import *  # noqa: F403

ROOT_URLCONF = "tests.load.bench_urls"
