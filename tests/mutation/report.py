"""Print the kill rate of the last ``make mutation`` and list what survived.

    python tests/mutation/report.py 'grids.services.events.*' …   # the MUTATE globs

Reads ``mutmut results --all true`` and counts the mutants whose names match the globs (the
others were not run). The kill rate is (killed + timed out) / every mutant run; a mutant no test
covered ("no tests") counts against it. docs/mutation-survivors.md explains the equivalent ones.
"""

import fnmatch
import subprocess
import sys
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RUN = Path(__file__).with_name("run.py")
KILLED = {"killed", "timeout", "caught by type check"}
NOT_RUN = {"not checked", "skipped"}


def main(globs: list[str]) -> int:
    listed = subprocess.run(
        [sys.executable, str(RUN), "results", "--all", "true"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    )
    statuses: dict[str, str] = {}
    for line in listed.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name and (not globs or any(fnmatch.fnmatch(name, g) for g in globs)):
            statuses[name] = status
    counts = Counter(s for s in statuses.values() if s not in NOT_RUN)
    for name, status in sorted(statuses.items()):
        if status not in KILLED | NOT_RUN:
            print(f"  {status:>10}  {name}")  # noqa: T201
    total = sum(counts.values())
    killed = sum(n for s, n in counts.items() if s in KILLED)
    rate = 100 * killed / total if total else 0.0
    others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in KILLED)
    print(f"mutation: {killed} killed / {total} mutants = {rate:.1f} % ({others or 'none survived'})")  # noqa: T201
    return 0 if total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
