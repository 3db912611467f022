"""Parley settings: one file, driven by the environment.

With no environment at all Parley runs on embedded defaults (SQLite, the in-memory channel
layer, the local-memory cache and the offline AI partner). `DATABASE_URL` and `REDIS_URL`
switch to PostgreSQL and Redis. `.env.example` lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.server import MAX_FRAME_BYTES

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "parley-development-only-not-secret-0123456789-abcdefghijklmnop"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "corsheaders",
    "channels",
    "waffle",
    "axes",
    "accounts",
    "ai",
    "partner",
    "conversations",
    "templates",
    "evaluations",
    "vocabulary",
    "coaching",
    "voice",
    "assistant",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "waffle.middleware.WaffleMiddleware",
    # Before the sync-only ApiErrorMiddleware, so it runs in sync mode (its async path is buggy).
    "axes.middleware.AxesMiddleware",
    "config.middleware.ApiErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# `manage.py runserver` (daphne's) reads socket messages up to this size, as config.server does.
DAPHNE_WEBSOCKET_MAX_MESSAGE_SIZE = DAPHNE_WEBSOCKET_MAX_FRAME_SIZE = MAX_FRAME_BYTES

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite by default, anything django-environ understands from DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Persistent connections: the socket consumer's database calls would otherwise open one each time.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel apart from the SQL and psycopg prepares a statement run often (five times on
    # a connection): a practice turn's statements then cost less CPU than quoted into the SQL text
    # each time (docs/deploy.md, Capacity). Behind PgBouncer in transaction mode: 1.21 or later with
    # max_prepared_statements set, or DATABASE_SERVER_SIDE_BINDING=0.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
        "DATABASE_SERVER_SIDE_BINDING", default=True
    )
# Threads per process for the database work of sockets and replies (config/db.py), each with its
# own connection: the bound on what one process asks of PostgreSQL. Few: a busy thread takes turns
# on the one interpreter lock with the event loop, which writes every frame (docs/deploy.md).
DATABASE_THREADS = env.int("DATABASE_THREADS", default=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the ASGI server's threads write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, with one pool and one client per process (config/cache.py)
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="parley"),
            "OPTIONS": {
                "pool_class": "config.cache.SharedConnectionPool",
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis' layer with a cheaper fan-out and receive (config/channel_layer.py)
            "BACKEND": "config.channel_layer.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env("CHANNEL_LAYER_PREFIX", default="parley"),
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.EmailBackend"]

# Forwarded headers (X-Forwarded-For) are believed only from these proxies: addresses or networks,
# e.g. the local nginx of `make serve` (127.0.0.1). Empty: the connecting address is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Failed sign-ins (REST, the sign-in page, the admin), counted per account and per client address
# by django-axes: past the limit, refused for LOGIN_LOCKOUT_MINUTES after the last one. Counted in
# Redis when there is one, else in the database (a local-memory cache is not shared by processes).
AXES_HANDLER = f"axes.handlers.{'cache.AxesCacheHandler' if REDIS_URL else 'database.AxesDatabaseHandler'}"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security: production defaults, relaxed only by DEBUG.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from this site's files, never inline (every
# page's script is a static module, Swagger UI's start-up script is a file too: the split view).
# Inline styles stay allowed: Swagger UI and ReDoc set them, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        # The socket (/ws/, same host), the API, and speech from /api/v1/messages/{id}/audio.
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        # ReDoc runs its search in a worker it builds from a blob.
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/(api|mcp)/.*$"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.RevocableJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON in (API.md); a form or multipart body is a 415.
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_METADATA_CLASS": "config.metadata.ApiMetadata",
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttles.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "auth_ip": env("THROTTLE_RATE_AUTH", default="10/min"),
        "auth_account": env("THROTTLE_RATE_AUTH", default="10/min"),
        "user": env("THROTTLE_RATE_USER", default="600/min"),
    },
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Pinned so a token minted with the same key for another service, or without an issuer, is refused.
    "AUDIENCE": env("JWT_AUDIENCE", default="parley"),
    "ISSUER": env("JWT_ISSUER", default="parley"),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": "Practise conversations with an AI partner and with people.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the app's own static files (drf-spectacular-sidecar): no CDN, so
    # the docs work offline and behind a strict CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: it would send the schema's address to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SessionModeEnum": "conversations.models.SessionMode",
        "TemplateModeEnum": "templates.models.Mode",
        "ReadingLanguageEnum": "vocabulary.api.READING_LANGUAGES",
    },
}

# Google sign-in. The endpoints are settings so tests can point them at a local fake provider.
GOOGLE_CLIENT_ID = env("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env("GOOGLE_CLIENT_SECRET", default="")
GOOGLE_REDIRECT_URI = env("GOOGLE_REDIRECT_URI", default="http://127.0.0.1:8000/api/v1/auth/google/callback")
GOOGLE_AUTH_URL = env("GOOGLE_AUTH_URL", default="https://accounts.google.com/o/oauth2/v2/auth")
GOOGLE_TOKEN_URL = env("GOOGLE_TOKEN_URL", default="https://oauth2.googleapis.com/token")
GOOGLE_JWKS_URL = env("GOOGLE_JWKS_URL", default="https://www.googleapis.com/oauth2/v3/certs")
GOOGLE_ISSUERS = env.list("GOOGLE_ISSUERS", default=["https://accounts.google.com", "accounts.google.com"])

# The LLM gateway.
LLM_PROVIDER = env("LLM_PROVIDER", default="")
LLM_MODEL = env("LLM_MODEL", default="")
LLM_BASE_URL = env("LLM_BASE_URL", default="")
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
MISTRAL_API_KEY = env("MISTRAL_API_KEY", default="")

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "daphne": {"level": "WARNING"},
    },
}

# LLM gateway resilience and limits (ai/). Fallbacks are tried in order, each
# `provider` or `provider:model`, when the primary fails persistently.
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=30.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)
LLM_RETRY_BASE_SECONDS = env.float("LLM_RETRY_BASE_SECONDS", default=0.5)
LLM_RETRY_MAX_SECONDS = env.float("LLM_RETRY_MAX_SECONDS", default=8.0)
LLM_FALLBACKS = env.list("LLM_FALLBACKS", default=[])
LLM_BREAKER_THRESHOLD = env.int("LLM_BREAKER_THRESHOLD", default=5)
LLM_BREAKER_COOLDOWN_SECONDS = env.float("LLM_BREAKER_COOLDOWN_SECONDS", default=30.0)
LLM_USER_RATE = env.int("LLM_USER_RATE", default=120)
LLM_DAILY_TOKEN_BUDGET = env.int("LLM_DAILY_TOKEN_BUDGET", default=200_000)
# Voice through the provider: speech for languages the server cannot speak offline, transcription of
# a learner's recording. Empty means the provider's default model.
LLM_SPEECH_MODEL = env("LLM_SPEECH_MODEL", default="")
LLM_SPEECH_VOICE = env("LLM_SPEECH_VOICE", default="alloy")
LLM_TRANSCRIPTION_MODEL = env("LLM_TRANSCRIPTION_MODEL", default="")
# A reply still streaming after this long was abandoned (its process died); the next turn may go on.
REPLY_STALE_SECONDS = env.int("REPLY_STALE_SECONDS", default=180)
# A reply's task renews a lease this long (whole seconds, as Redis expiries are) every third of it;
# a lapsed lease means the task is gone (conversations/services/leases.py), noticed in seconds.
REPLY_LEASE_SECONDS = env.int("REPLY_LEASE_SECONDS", default=4)
# How long a reply keeps retrying to store its outcome while the database is unreachable.
REPLY_STORE_RETRY_SECONDS = env.float("REPLY_STORE_RETRY_SECONDS", default=20.0)
if _unknown := {LLM_PROVIDER, *(f.split(":", 1)[0] for f in LLM_FALLBACKS)} - {"", "openai", "mistral", "offline"}:
    raise ImproperlyConfigured(
        f"LLM_PROVIDER/LLM_FALLBACKS: unknown provider(s) {sorted(_unknown)} (openai|mistral|offline)."
    )

# Messages between people: sends per user per window, `N/Ss` (30 per 10 seconds by default).
MESSAGE_RATE = env("MESSAGE_RATE", default="30/10s")

# redis-py 8 changed two defaults the channel layer trips over: a connection pool holds at most
# 100 connections and fails, rather than waits, beyond that (a group message fans out as one
# group_send per member), and every read times out after 5 s, the same 5 s channels_redis blocks
# in BZPOPMIN waiting for a message, so an idle socket's receive loop died after about 5 s.
if REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [
        {
            "address": REDIS_URL,
            "max_connections": env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=1000),
            "socket_timeout": 15,
        }
    ]
