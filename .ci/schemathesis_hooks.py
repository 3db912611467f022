"""Schemathesis hooks for .ci/schemathesis: what the API checks that JSON Schema cannot say.

A sign-up's password must also pass AUTH_PASSWORD_VALIDATORS: not a common password, not too like
the email or the username. The schema says so in words; positive cases that break it are not
generated (the server answers them 400, rightly). Everything else about them is still fuzzed.

A recording sent to be transcribed must be audio in a container Parley reads (voice.recordings),
which a schema cannot say of a binary field: positive cases carry a real WAV file.
"""

import contextlib
import io
import os
import sys
import wave
from pathlib import Path

import django
import schemathesis
from django.core.exceptions import ValidationError

# Imported here, before the workers start: hypothesis reads `sys.modules["numpy"].ndarray`, and a
# worker thread that meets numpy halfway through another thread's first import of it errors out.
with contextlib.suppress(ImportError):
    import numpy  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.contrib.auth.password_validation import validate_password  # noqa: E402

from accounts.models import User  # noqa: E402


@schemathesis.hook("filter_case").apply_to(path_regex=r"^/api/v1/auth/(signup|register)/$")
def password_the_validators_accept(context, case) -> bool:
    body = case.body
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if not positive or not isinstance(body, dict) or not isinstance(body.get("password"), str):
        return True
    email, username = body.get("email"), body.get("username")
    # The same user accounts.services.user_signup checks the password against.
    user = User(email=email.strip().lower() if isinstance(email, str) else "", username=username or None)
    try:
        validate_password(body["password"], user=user)
    except ValidationError:
        return False
    return True


def _silence_wav(seconds: float = 0.2, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(rate)
        recording.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


_WAV = _silence_wav()


@schemathesis.hook("map_case").apply_to(path_regex=r"/transcribe/$")
def a_recording_parley_can_read(context, case):
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and isinstance(case.body, dict) and "audio" in case.body:
        case.body["audio"] = _WAV
    return case
