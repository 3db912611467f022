"""Score language.japanese.analyse on bench/data/japanese_labelled.yaml.

Run from the repository root: python bench/japanese_checker.py [--verbose]
A wrong sentence counts as flagged when analyse() finds anything, and as corrected when one finding's
correction equals the expected sentence once spaces are removed. A correct sentence with any finding is
a false alarm, counted against the kind (rule) that raised it.
"""

import re
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from language.japanese import analyse, forms, particles, usage  # noqa: E402  (the path is set just above)

DATA = ROOT / "bench" / "data" / "japanese_labelled.yaml"


def _kinds() -> list[str]:
    """Every rule name the checker can report, read from its rule modules."""
    names = set()
    for module in (forms, particles, usage):
        names |= set(re.findall(r'^\s+"([a-z_]+)",\n\s+\)', Path(module.__file__).read_text(encoding="utf-8"), re.M))
    return sorted(names)


def _bare(text: str) -> str:
    return "".join(text.split())


def main(verbose: bool) -> None:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    analyse("ウォームアップ")  # load the tagger outside the timing
    started, count = time.perf_counter(), 0
    totals = {"wrong": 0, "flagged": 0, "corrected": 0}
    print(f"{'category':<24}{'n':>4}{'flagged':>10}{'corrected':>11}")
    for category, pairs in data["wrong"].items():
        flagged = corrected = 0
        for text, expected in pairs:
            findings = analyse(text)
            count += 1
            flagged += bool(findings)
            hit = any(_bare(f.correction) == _bare(expected) for f in findings)
            corrected += hit
            if verbose and not hit:
                print(f"  MISS {text} → {expected}  got {[f.correction for f in findings]}")
        totals["wrong"] += len(pairs)
        totals["flagged"] += flagged
        totals["corrected"] += corrected
        print(f"{category:<24}{len(pairs):>4}{flagged / len(pairs):>10.0%}{corrected / len(pairs):>11.0%}")
    alarms = 0
    alarms_per_kind: dict[str, int] = dict.fromkeys(_kinds(), 0)
    for text in data["correct"]:
        findings = analyse(text)
        count += 1
        alarms += bool(findings)
        for finding in findings:
            alarms_per_kind[finding.rule] = alarms_per_kind.get(finding.rule, 0) + 1
        if verbose and findings:
            print(f"  FALSE ALARM {text}: {[(f.rule, f.original) for f in findings]}")
    print(f"\nfalse alarms per kind on {len(data['correct'])} correct sentences:")
    for kind, n in sorted(alarms_per_kind.items()):
        print(f"  {kind:<28}{n:>3}")
    elapsed_ms = (time.perf_counter() - started) * 1000
    wrong = totals["wrong"]
    print(f"\nwrong sentences: {wrong}, correct sentences: {len(data['correct'])}")
    print(f"flagged:      {totals['flagged'] / wrong:.1%}")
    print(f"corrected:    {totals['corrected'] / wrong:.1%}")
    print(f"false alarms: {alarms / len(data['correct']):.1%} ({alarms})")
    print(f"speed:        {elapsed_ms / count:.2f} ms per sentence")


if __name__ == "__main__":
    main(verbose="--verbose" in sys.argv)
