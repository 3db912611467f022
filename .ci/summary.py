"""The closing line of .ci/run: `ci: N passed, M failed`, counted from what each step reported.

Reads the steps file .ci/run writes (one tab-separated line per step: name, kind, log, exit code,
note) and prints one line per step, then the summary line; when a step failed, the summary line
names it (`; FAILED: ...`) and the exit code is 1. The counts come from pytest's own summary line
in each `pytest` step's log and from the JUnit report of the `schemathesis` step (one test per API
operation): a step whose summary cannot be found counts as failed, never as passed.
"""

import re
import sys
from pathlib import Path
from xml.etree import ElementTree

ANSI = re.compile(r"\x1b\[[0-9;]*m")
PYTEST_SUMMARY = re.compile(r"\b(passed|failed|errors?|skipped|no tests ran)\b.* in [0-9.]+s\b")
FAILED_TEST = re.compile(r"^(?:FAILED|ERROR) (\S+\.py\S*)")
MAKE_ERROR = re.compile(r"^make: \*\*\* \[(?P<file>[^:\]]+):(?P<line>\d+): [^\]]+\] Error \d+")
SHOWN = 3


def _names(failed: list[str]) -> str:
    more = f" and {len(failed) - SHOWN} more" if len(failed) > SHOWN else ""
    return ", ".join(failed[:SHOWN]) + more


def _make_stop(lines: list[str]) -> str | None:
    """The Makefile command make stopped at, from its `make: *** [Makefile:N: target]` line."""
    for line in reversed(lines):
        match = MAKE_ERROR.match(line)
        if match and Path(match["file"]).is_file():
            recipe = Path(match["file"]).read_text().splitlines()
            number = int(match["line"])
            if 0 < number <= len(recipe):
                return recipe[number - 1].strip()
    return None


def pytest_result(log: Path) -> tuple[int, int, str | None]:
    """(passed, failed, what failed) from pytest's closing summary line in the log."""
    lines = [ANSI.sub("", line).rstrip() for line in log.read_text(errors="replace").splitlines()]
    summary = next((line.strip("= ") for line in reversed(lines) if PYTEST_SUMMARY.search(line)), None)
    if summary is None:
        stop = _make_stop(lines)
        return 0, 0, f"stopped at `{stop}`" if stop else "no pytest summary in its log"
    counts = {word: int(number) for number, word in re.findall(r"(\d+) (passed|failed|errors?)\b", summary)}
    passed = counts.get("passed", 0)
    failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
    tests = [match[1] for line in lines if (match := FAILED_TEST.match(line))]
    return passed, failed, (_names(tests) if tests else summary) if failed else None


def schemathesis_result(report_dir: Path) -> tuple[int, int, str | None]:
    """(operations passed, operations failed, which) from the JUnit report schemathesis wrote."""
    reports = sorted(report_dir.glob("junit*.xml"), key=lambda path: path.stat().st_mtime)
    if not reports:
        return 0, 0, "no schemathesis report"
    try:
        cases = list(ElementTree.parse(reports[-1]).getroot().iter("testcase"))
    except ElementTree.ParseError:
        # schemathesis writes the report as it ends: a run killed on its time limit leaves it empty.
        return 0, 0, f"unreadable schemathesis report {reports[-1].name}"
    passed, failed = 0, []
    for case in cases:
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(case.get("name", "?"))
        elif case.find("skipped") is None:
            passed += 1
    return passed, len(failed), _names(failed) if failed else None


def main(steps_file: Path) -> int:
    total_passed = total_failed = 0
    failures = []
    rows = [line.split("\t") for line in steps_file.read_text().splitlines() if line] if steps_file.is_file() else []
    for name, kind, path, code, note in rows:
        try:
            if kind == "pytest":
                passed, failed, what = pytest_result(Path(path))
            elif kind == "schemathesis":
                passed, failed, what = schemathesis_result(Path(path))
            else:
                passed, failed, what = 0, 0, note or None
        except OSError as exc:
            # The closing line must still come, and name the step.
            passed, failed, what = 0, 0, f"its result cannot be read: {exc}"
        if code != "0":
            what = f"{what}, exit {code}" if what else f"exit {code}"
        total_passed += passed
        total_failed += failed
        unit = " API operations" if kind == "schemathesis" else ""
        print(f"ci: {name}: {passed} passed, {failed} failed{unit}" + (f" ({what})" if what else ""))
        if what is not None or code != "0":
            failures.append(f"{name} ({what})")
    line = f"ci: {total_passed} passed, {total_failed} failed"
    if not rows:
        failures.append("no step ran")
    print(line + (f"; FAILED: {'; '.join(failures)}" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
