"""Score coaching.redaction on labelled CVs: recall of the labelled PII, and what else went.

Run from the repository root: python bench/redaction.py [--verbose]
A labelled span counts as caught when every one of its non-space characters lies inside a redacted
span (whatever kind the redactor named it). Precision is the share of redacted characters that lie
inside labelled spans; "keep" words (skills, firms, schools, places) touched by a redaction are
listed as over-redaction.
"""

import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coaching.redaction import pii_spans  # noqa: E402  (the path is set just above)

# The rules were written on the first set. The second and third were written later, each scored once
# before any rule changed for it (see their headers for those first figures).
SETS = {
    "development": ROOT / "bench" / "data" / "cvs_labelled.yaml",
    "held-out": ROOT / "bench" / "data" / "cvs_heldout.yaml",
    "unseen": ROOT / "bench" / "data" / "cvs_unseen.yaml",
}


def occurrences(text: str, value: str) -> list[tuple[int, int]]:
    found, start = [], text.find(value)
    while start != -1:
        found.append((start, start + len(value)))
        start = text.find(value, start + 1)
    return found


def runs(indices: list[int]) -> list[tuple[int, int]]:
    """Consecutive indices as (start, end) ranges."""
    ranges: list[list[int]] = []
    for i in indices:
        if ranges and ranges[-1][1] == i:
            ranges[-1][1] = i + 1
        else:
            ranges.append([i, i + 1])
    return [(a, b) for a, b in ranges]


def score(cv: dict) -> dict:
    text = cv["text"]
    redacted = set()
    for span in pii_spans(text=text, known_names=[cv.get("known") or ""]):
        redacted.update(i for i in range(span.start, span.end) if not text[i].isspace())
    labelled, results = set(), []
    for kind, values in cv["pii"].items():
        for value in values:
            for start, end in occurrences(text, value):
                chars = {i for i in range(start, end) if not text[i].isspace()}
                labelled |= chars
                results.append((kind, value, chars <= redacted))
    touched = [word for word in cv["keep"] if any(redacted & set(range(a, b)) for a, b in occurrences(text, word))]
    return {"results": results, "redacted": redacted, "labelled": labelled, "touched": touched}


def report(name: str, cvs: list[dict], verbose: bool) -> None:
    started = time.perf_counter()
    scores = [(cv, score(cv)) for cv in cvs]
    elapsed = time.perf_counter() - started
    kinds: dict[str, list[int]] = {}
    for _, s in scores:
        for kind, _, caught in s["results"]:
            kinds.setdefault(kind, [0, 0])
            kinds[kind][0] += caught
            kinds[kind][1] += 1
    print(f"\n{name} set ({len(cvs)} CVs)")
    print(f"{'kind':<10}{'spans':>7}{'caught':>8}{'recall':>9}")
    for kind, (caught, total) in sorted(kinds.items()):
        print(f"{kind:<10}{total:>7}{caught:>8}{caught / total:>9.1%}")
    caught = sum(c for c, _ in kinds.values())
    total = sum(t for _, t in kinds.values())
    redacted = sum(len(s["redacted"]) for _, s in scores)
    inside = sum(len(s["redacted"] & s["labelled"]) for _, s in scores)
    keep_total = sum(len(cv["keep"]) for cv, _ in scores)
    touched = [(cv["id"], w) for cv, s in scores for w in s["touched"]]
    print(f"{'all':<10}{total:>7}{caught:>8}{caught / total:>9.1%}")
    print(f"precision (redacted characters inside labelled spans): {inside / redacted:.1%}")
    print(f"keep words touched: {len(touched)} of {keep_total}; {elapsed * 1000 / len(cvs):.1f} ms a CV")
    if verbose:
        for cv, s in scores:
            for kind, value, ok in s["results"]:
                if not ok:
                    print(f"  missed {kind:<8} {cv['id']}: {value!r}")
            for start, end in runs(sorted(s["redacted"] - s["labelled"])):
                print(f"  extra  {cv['id']}: {cv['text'][start:end]!r}")
        for cv_id, word in touched:
            print(f"  touched {cv_id}: {word!r}")


# Inputs a pattern with unbounded backtracking would take minutes over (the upload's limit is 50,000).
HOSTILE = ["A" * 50_000, "Jane " * 10_000, "0" * 50_000, "1-" * 25_000, "ab." * 16_000 + "@", "x at y dot " * 4_500,
           "+1" * 25_000, "Leeds LS1 4DY, " * 3_300, "References\n" + "Jane Doe, " * 4_990,
           "Worked with " + "Xena Yolo and " * 3_500]  # fmt: skip


def main(verbose: bool) -> None:
    pii_spans(text="warm-up")
    for name, path in SETS.items():
        report(name, yaml.safe_load(path.read_text(encoding="utf-8"))["cvs"], verbose)
    worst = 0.0
    for text in HOSTILE:
        started = time.perf_counter()
        pii_spans(text=text[:50_000])
        worst = max(worst, time.perf_counter() - started)
    print(f"\nslowest of {len(HOSTILE)} hostile 50,000-character inputs: {worst * 1000:.0f} ms")


if __name__ == "__main__":
    main(verbose="--verbose" in sys.argv)
