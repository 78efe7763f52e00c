"""The host tests' checklist: each check prints ok/FAIL and failures are collected, so one
run reports every failing check, then `finish` gives the exit code."""

from __future__ import annotations

FAILURES: list[str] = []


def check(cond: bool, what: str) -> None:
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def finish(name: str) -> int:
    """Print the summary for the `name` checks; the process exit code."""
    if FAILURES:
        print(f"\n{len(FAILURES)} {name} check(s) failed")
        return 1
    print(f"\n{name}: all checks passed")
    return 0
