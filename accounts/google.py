"""Google sign-in: authorization-code flow with PKCE, and id_token verification.

The authorization, token and JWKS endpoints are settings, so tests point them at a local
fake identity provider. The state, nonce and PKCE verifier live server-side in the cache and
are used once.
"""

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from accounts.exceptions import GoogleNotConfigured, GoogleSignInError
from accounts.models import Provider, User

STATE_TTL_SECONDS = 600
_STATE_KEY = "google-oauth-state:{}"
_jwks_clients: dict[str, jwt.PyJWKClient] = {}


def _require_config() -> None:
    if not settings.GOOGLE_CLIENT_ID:
        raise GoogleNotConfigured()


def _jwks_client() -> jwt.PyJWKClient:
    url = settings.GOOGLE_JWKS_URL
    if url not in _jwks_clients:
        _jwks_clients[url] = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
    return _jwks_clients[url]


def authorization_start() -> dict:
    """Build Google's authorization URL; keep state, nonce and PKCE verifier server-side."""
    _require_config()
    state = secrets.token_urlsafe(24)
    nonce = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    cache.set(_STATE_KEY.format(state), {"nonce": nonce, "verifier": verifier}, STATE_TTL_SECONDS)
    query = urlencode(
        {
            "client_id": settings.GOOGLE_CLIENT_ID,
            "redirect_uri": settings.GOOGLE_REDIRECT_URI,
            "response_type": "code",
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return {"authorization_url": f"{settings.GOOGLE_AUTH_URL}?{query}", "state": state}


def id_token_verify(*, id_token: str, nonce: str | None = None) -> dict:
    """Verify signature (JWKS), issuer, audience, expiry and, when given, the nonce."""
    _require_config()
    try:
        signing_key = _jwks_client().get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            signing_key.key,
            algorithms=["RS256"],
            audience=settings.GOOGLE_CLIENT_ID,
            options={"require": ["iss", "aud", "exp", "sub", "email"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise GoogleSignInError("The Google token has expired.", code="token_expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise GoogleSignInError("The Google token is for another application.", code="wrong_audience") from exc
    except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
        raise GoogleSignInError("The Google token could not be verified.", code="invalid_token") from exc
    if claims.get("iss") not in settings.GOOGLE_ISSUERS:
        raise GoogleSignInError("The Google token has the wrong issuer.", code="wrong_issuer")
    if nonce is not None and claims.get("nonce") != nonce:
        raise GoogleSignInError("The Google token does not match this sign-in.", code="nonce_mismatch")
    if claims.get("email_verified") is False:
        raise GoogleSignInError("The Google account's email is not verified.", code="email_unverified")
    return claims


def code_exchange(*, code: str, state: str) -> dict:
    """Trade the authorization code for tokens; the state is single-use."""
    _require_config()
    stored = cache.get(_STATE_KEY.format(state)) if state else None
    if stored is None or not cache.delete(_STATE_KEY.format(state)):
        raise GoogleSignInError("Unknown or already used sign-in state.", code="invalid_state")
    # Imported here: httpx (with its command-line tool) is ~3 MiB that every process would carry
    # for the few requests that finish a Google sign-in.
    import httpx

    try:
        response = httpx.post(
            settings.GOOGLE_TOKEN_URL,
            data={
                "code": code,
                "client_id": settings.GOOGLE_CLIENT_ID,
                "client_secret": settings.GOOGLE_CLIENT_SECRET,
                "redirect_uri": settings.GOOGLE_REDIRECT_URI,
                "grant_type": "authorization_code",
                "code_verifier": stored["verifier"],
            },
            timeout=10,
        )
    except httpx.HTTPError as exc:
        raise GoogleSignInError("Google could not be reached.", code="google_unreachable") from exc
    if response.status_code != 200 or "id_token" not in response.json():
        raise GoogleSignInError("Google refused the authorization code.", code="code_rejected")
    return id_token_verify(id_token=response.json()["id_token"], nonce=stored["nonce"])


def google_user_get_or_create(*, claims: dict) -> User:
    """The Google account for these claims, created on first sign-in."""
    email = claims["email"].lower()
    user = User.objects.filter(email=email, provider=Provider.GOOGLE).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, None, provider=Provider.GOOGLE, display_name=claims.get("name", "")[:150]
            )
    except IntegrityError:
        return User.objects.get(email=email, provider=Provider.GOOGLE)
