"""daphne as production runs it (config.server), with a real HTTP client."""

import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import pytest

from config.tests.test_browser import ROOT, _server_env, daphne_running, server_database_url  # noqa: F401

pytestmark = pytest.mark.timeout(120)

SETUP = """
import django; django.setup()
from django.core.management import call_command
from accounts.services import tokens_for
from accounts.tests.factories import UserFactory
call_command("migrate", verbosity=0)
print(tokens_for(user=UserFactory())["token"])
"""


def test_a_multipart_body_the_server_cannot_parse_gets_the_apps_error_envelope(server_database_url, tmp_path):  # noqa: F811
    done = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=_server_env(server_database_url), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    boundary = "c637e12e2b1a998d80d1b087531af51c"

    with daphne_running(server_database_url, tmp_path / "daphne.log") as url:
        request = urllib.request.Request(
            f"{url}/api/v1/sessions/{uuid.uuid4()}/transcribe/",
            data=f"--{boundary}--\r\n".encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)

    assert refused.value.code == 400
    assert refused.value.headers["Content-Type"] == "application/json"
    assert refused.value.read().startswith(b'{"error":')


def test_daphne_runs_on_uvloops_event_loop():
    # A fresh process, as `python -m config.server` starts: daphne makes its loop when daphne.server is
    # first imported, so the policy must be uvloop's by then. --help stops daphne before it serves.
    probe = (
        "from config.server import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    import daphne.server\n"
        "    print(type(daphne.server.twisted_loop).__module__)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "uvloop"
