"""CPU per learner turn of the offline partner's scenario engine, over every shipped script.

Run from the repository root: python bench/scenario_engine.py [rounds]
Each round plays every script's long mixed session (starter turns, hints, wandering, "How do I say
cat?", past the end) with the tokeniser's cache emptied first, so every turn is tagged as in a
fresh process; the turns of later rounds differ by a suffix so no cache answers them.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402  (the path is set just above)

django.setup()

from conversations.tests.test_scenario_scripts import SOURCES, _session, scenario_of  # noqa: E402
from language.tokens import tokenise  # noqa: E402
from partner.scenarios.engine import ScenarioState, scenario_reply  # noqa: E402
from partner.scenarios.kana import _split, reading  # noqa: E402


def main(rounds: int) -> None:
    scenarios = {path: scenario_of(source) for path, source in sorted(SOURCES.items())}
    per_turn = []
    for round_ in range(rounds):
        tokenise.cache_clear()
        reading.cache_clear()
        _split.cache_clear()
        for path, scenario in scenarios.items():
            state = ScenarioState()
            for text in _session(scenario, SOURCES[path]):
                started = time.process_time()
                turn = f"{text} {round_}" if round_ else text
                state = scenario_reply(scenario=scenario, state=state, text=turn).state
                per_turn.append(time.process_time() - started)
    per_turn.sort()
    mean = sum(per_turn) / len(per_turn)
    p99 = per_turn[int(len(per_turn) * 0.99)]
    print(f"{len(per_turn)} turns, {len(scenarios)} scripts: mean {mean * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms CPU")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
