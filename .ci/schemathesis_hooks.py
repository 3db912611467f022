"""Schemathesis hooks for .ci/schemathesis: what the API checks that JSON Schema cannot say.

A sign-up's password must also pass AUTH_PASSWORD_VALIDATORS: not a common password, not too like
the email or the username. The schema says so in words; positive cases that break it are not
generated (the server answers them 400, rightly). Everything else about them is still fuzzed.
"""

import contextlib
import os
import sys
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
