"""Counts of the schemathesis run, per caller, kept for the terminal summary."""

from dataclasses import dataclass, field


@dataclass
class CallerRun:
    operations: int = 0
    examples: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


@dataclass
class FuzzReport:
    runs: dict[str, CallerRun] = field(default_factory=dict)

    def run_for(self, caller: str) -> CallerRun:
        return self.runs.setdefault(caller, CallerRun())

    def lines(self) -> list[str]:
        lines = []
        for caller, run in self.runs.items():
            statuses = ", ".join(f"{code}: {n}" for code, n in sorted(run.statuses.items()))
            lines.append(
                f"{caller}: {run.operations} operations, {run.examples} examples, "
                f"{len(run.failures)} failures ({statuses})"
            )
            lines.extend(f"  {failure}" for failure in dict.fromkeys(f.replace("\n", " ") for f in run.failures))
        return lines


FUZZ_REPORT = FuzzReport()
