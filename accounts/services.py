"""Account use-cases: sign-up, sign-in, tokens, sign-out."""

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.exceptions import EmailTaken, InvalidCredentials, InvalidToken, TooManyAttempts
from accounts.lockout import lockout_seconds
from accounts.models import Provider, User
from accounts.signals import signed_out
from accounts.tokens import SIGN_IN_CLAIM, sign_in_id, sign_in_revoke
from config.exceptions import ParleyError


def tokens_for(*, user: User, sign_in: str | None = None) -> dict:
    """A fresh access + refresh pair for the user, of a new sign-in unless `sign_in` names one."""
    refresh = RefreshToken.for_user(user)
    refresh[SIGN_IN_CLAIM] = sign_in or refresh["jti"]
    return {"token": str(refresh.access_token), "refresh": str(refresh)}


def _refresh_token_spend(*, token: RefreshToken) -> bool:
    """Blacklist the refresh token; False when it already was, so at most one caller spends it.

    The blacklist's one-to-one constraint decides between concurrent callers: one creates the
    row, the others find it (get_or_create), whatever the check in RefreshToken() saw before.
    """
    _, created = token.blacklist()
    return created


def user_signup(*, email: str, password: str, username: str = "") -> User:
    """Create a local account. Raises EmailTaken (409) and ParleyError on a weak password."""
    email = email.strip().lower()
    if User.objects.filter(email=email, provider=Provider.LOCAL).exists():
        raise EmailTaken()
    if username and User.objects.filter(username=username).exists():
        raise EmailTaken("This username is taken.", code="username_taken")
    try:
        validate_password(password, user=User(email=email, username=username))
    except DjangoValidationError as exc:
        raise ParleyError(exc.messages[0], code="weak_password", fields={"password": exc.messages}) from exc
    try:
        with transaction.atomic():
            return User.objects.create_user(email, password, username=username or None)
    except IntegrityError as exc:
        # Two sign-ups with the same email at the same moment: the constraint decides.
        raise EmailTaken() from exc


def user_login(*, email: str, password: str, request) -> User:
    """Check a local account's password. Raises InvalidCredentials (401), TooManyAttempts (429)."""
    user = authenticate(request, email=email, password=password)
    if user is None:
        # django-axes (the first authentication backend) flags a locked-out account or address.
        if getattr(request, "axes_locked_out", False):
            raise TooManyAttempts(retry_after=lockout_seconds())
        raise InvalidCredentials()
    return user


def token_refresh(*, refresh: str) -> dict:
    """Rotate a refresh token: the old one is blacklisted, a new pair of the same sign-in returned.

    Concurrent refreshes of one token have one winner; the others get InvalidToken (401).
    """
    try:
        old = RefreshToken(refresh)
    except TokenError as exc:
        raise InvalidToken() from exc
    user = User.objects.filter(id=old["user_id"], is_active=True).first()
    if user is None or not _refresh_token_spend(token=old):
        raise InvalidToken()
    return tokens_for(user=user, sign_in=sign_in_id(old))


def token_revoke(*, refresh: str) -> User:
    """Sign out: blacklist the refresh token and refuse its sign-in's access tokens. Raises InvalidToken (401)."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise InvalidToken() from exc
    user = User.objects.filter(id=token["user_id"]).first()
    if user is None:
        raise InvalidToken()
    _refresh_token_spend(token=token)
    sign_in_revoke(token=token)
    return user


def sign_out_announce(*, user_id) -> None:
    """Once the sign-out commits, tell the apps above it: the socket hub closes the user's sockets."""
    transaction.on_commit(lambda: signed_out.send(sender=User, user_id=user_id))
