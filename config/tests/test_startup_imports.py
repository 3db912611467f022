"""What a serving process holds before its first request: no library that only some requests use.

Every module a daphne process imports stays in its memory for its whole life, in every process
(docs/deploy.md, "Capacity"). The libraries below load on the first request that needs them.
"""

import json
import os
import subprocess
import sys

from config.tests.test_browser import ROOT

LOADED_ON_FIRST_USE = {
    "numpy": "speech and recordings, through soundfile",
    "soundfile": "speech synthesis (language.japanese.speech) and a recording's length (voice.recordings)",
    "fugashi": "the Japanese tagger (language.japanese.text), on the first sentence tagged",
    "sqlite3": "the Japanese dictionary (language.japanese.dictionary and readings), on the first look-up",
}

# A process as production starts it (config.server serving config.asgi) once it has answered its
# first request: Django set up, the socket stack, the URLconf. Importing connects to nothing, so the
# database and Redis named here need not exist.
SERVING = """
import json, sys
import config.server
import config.asgi
from django.urls import resolve
resolve("/healthz")
print(json.dumps(sorted(sys.modules)))
"""

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": "startup-imports-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/parley_startup_imports",
    "REDIS_URL": "redis://127.0.0.1:6379/0?socket_timeout=15",
    "LLM_PROVIDER": "offline",
}


def test_a_serving_process_loads_no_library_only_some_requests_use():
    done = subprocess.run(
        [sys.executable, "-c", SERVING],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.splitlines()[-1]))

    eager = {name: use for name, use in LOADED_ON_FIRST_USE.items() if name in loaded}
    assert not eager, f"imported at start-up, though only these use them: {eager}"
