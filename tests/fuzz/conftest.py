"""The fuzz run's counts, printed in every pytest summary (``make test`` included)."""

from tests.fuzz.report import FUZZ_REPORT


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FUZZ_REPORT.runs:
        return
    terminalreporter.section("schemathesis: /api/schema/")
    for line in FUZZ_REPORT.lines():
        terminalreporter.write_line(line)
