"""GET /api/v1/analytics/trends for a learner with 500 evaluated sessions: time and query count.

Run from the repository root: `python bench/trends.py [--sessions 500] [--runs 50]`. It builds a
temporary SQLite database, stores the sessions and evaluations in bulk (the rollup and plan as
the evaluation service keeps them), then times the endpoint through Django's test client with
`?limit=500` (the whole history) and with the default limit. Target: under 50 ms at the median.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LEVELS = ("needs_work", "developing", "solid", "strong")
DIMENSIONS = ("clarity_structure", "relevance_focus", "confidence_delivery", "language_quality", "tone_alignment")


def _setup(db_path: str) -> None:
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=f"sqlite:///{db_path}",
                      LLM_PROVIDER="offline", LOG_LEVEL="ERROR")  # fmt: skip
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _populate(sessions: int):
    from django.utils import timezone

    from accounts.models import User
    from coaching.models import ProgressRollup
    from coaching.progress import plan_update
    from conversations.models import Conversation, PracticeSession
    from evaluations.models import Evaluation

    user = User.objects.create_user("bench@example.com", "bench-password-1")
    start = timezone.now() - timedelta(days=sessions)
    conversations = Conversation.objects.bulk_create(
        [Conversation(kind="practice", title=f"Bench {i}", created_by=user) for i in range(sessions)]
    )
    practice = PracticeSession.objects.bulk_create(
        [
            PracticeSession(conversation=c, user=user, mode="interview", language="english",
                            preparation_type="Interview", status="completed", user_turns=3,
                            created_at=start + timedelta(days=i))
            for i, c in enumerate(conversations)
        ]
    )  # fmt: skip
    Evaluation.objects.bulk_create(
        [
            Evaluation(session=s, user=user, preparation_type="Interview", overall_score=40 + (i % 50),
                       universal_scores={d: LEVELS[(i + j) % 4] for j, d in enumerate(DIMENSIONS)},
                       created_at=start + timedelta(days=i))
            for i, s in enumerate(practice)
        ]
    )  # fmt: skip
    ProgressRollup.objects.create(user=user, evaluated_sessions=sessions, score_total=sessions * 65)
    plan_update(user_id=user.id)
    return user


def _time(client, path: str, runs: int) -> tuple[list[float], int]:
    from django.db import connection

    # Counted with a wrapper: the test client's request_started signal resets connection.queries.
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        response = client.get(path)
    assert response.status_code == 200, response.content
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(str(Path(tmp) / "bench.sqlite3"))
        from rest_framework.test import APIClient

        user = _populate(args.sessions)
        client = APIClient()
        client.force_authenticate(user)
        print(f"GET /api/v1/analytics/trends, {args.sessions} evaluated sessions, SQLite, {args.runs} runs")
        for path in (f"/api/v1/analytics/trends?limit={min(args.sessions, 500)}", "/api/v1/analytics/trends"):
            timings, queries = _time(client, path, args.runs)
            p95 = sorted(timings)[int(0.95 * (len(timings) - 1))]
            print(f"  {path:42} median {statistics.median(timings):6.2f} ms  p95 {p95:6.2f} ms  queries {queries}")


if __name__ == "__main__":
    main()
