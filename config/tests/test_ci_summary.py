"""CI's closing line (.ci/summary.py): the counts come from the steps' own results, and a failure,
however a step ended, is named on that line."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("ci_summary", ROOT / ".ci" / "summary.py")
summary = importlib.util.module_from_spec(spec)
spec.loader.exec_module(summary)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="schemathesis" tests="3">
  <testcase name="GET /api/v1/a"/>
  <testcase name="POST /api/v1/b"><failure type="failure">500</failure></testcase>
  <testcase name="GET /api/v1/c"/>
</testsuite></testsuites>"""


@pytest.fixture
def run(tmp_path, capsys):
    def closing_line(*steps: tuple[str, str, str, int]) -> tuple[str, int]:
        rows = []
        for name, kind, content, code in steps:
            path = tmp_path / name.replace(" ", "-")
            if kind == "schemathesis":
                path.mkdir()
                if content is not None:
                    (path / "junit-1.xml").write_text(content)
            else:
                path.write_text(content)
            rows.append(f"{name}\t{kind}\t{path}\t{code}\t")
        (tmp_path / "steps.tsv").write_text("\n".join(rows) + "\n")
        code = summary.main(tmp_path / "steps.tsv")
        return capsys.readouterr().out.splitlines()[-1], code

    return closing_line


def test_a_green_run_ends_on_the_sum_of_what_each_step_counted(run):
    line, code = run(
        ("sqlite", "pytest", "....\n120 passed, 3 skipped in 10.5s\n", 0),
        ("postgres", "pytest", "....\n118 passed, 5 skipped, 2 warnings in 12.1s (0:00:12)\n", 0),
        ("api", "schemathesis", JUNIT.replace('<failure type="failure">500</failure>', ""), 0),
    )

    assert (line, code) == ("ci: 241 passed, 0 failed", 0)


def test_failing_tests_and_operations_are_counted_and_named(run):
    line, code = run(
        ("sqlite", "pytest", "F.\nFAILED a/tests/test_x.py::test_one - assert 1 == 2\n1 failed, 7 passed in 3.0s\n", 1),
        ("api", "schemathesis", JUNIT, 1),
    )

    assert line == (
        "ci: 9 passed, 2 failed; FAILED: sqlite (a/tests/test_x.py::test_one, exit 1); api (POST /api/v1/b, exit 1)"
    )
    assert code == 1


def test_a_step_that_stopped_before_its_counts_is_named_with_where_it_stopped(run):
    make_error = "make: *** [Makefile:1: test] Error 1\n"
    line, code = run(
        ("sqlite", "pytest", f"lint errors\n{make_error}", 2),
        ("api", "schemathesis", "", 124),
    )

    assert line.startswith("ci: 0 passed, 0 failed; FAILED: sqlite (stopped at `")
    assert line.endswith("api (unreadable schemathesis report junit-1.xml, exit 124)")
    assert code == 1


def test_a_run_ended_by_its_setup_says_why(run):
    line, code = run(("setup", "setup", "", 1))

    assert line == "ci: 0 passed, 0 failed; FAILED: setup (exit 1)"
    assert code == 1
