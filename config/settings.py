"""Settings for Pathway: one module, every value read from the environment.

`PATHWAY_ENV=production` refuses to start without the secrets a real deployment needs; the
default (`development`) runs on SQLite with an embedded broker so `make demo` needs no server.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext

from config.env import (
    ConfigError,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_str,
)
from core.logs import logging_config

# Lets runtime code subscript generic Django classes (ModelAdmin[Case]) as the stubs do.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PATHWAY_VAR_DIR", str(BASE_DIR / "var")))

PATHWAY_ENV = env_str("PATHWAY_ENV", "development")
if PATHWAY_ENV not in {"development", "test", "production"}:
    raise ConfigError("PATHWAY_ENV must be development, test or production.")
PRODUCTION = PATHWAY_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ConfigError("SECRET_KEY must be at least 50 characters in production.")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-" + "x" * 40)

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ConfigError("DEBUG must be false in production (it shows settings and patient data).")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["*"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS is required in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "core",
    "records",
    "consent",
    "planning",
    "workers",
    "demo",
    "api",
    "interop",
]

MIDDLEWARE = [
    # First: answers /healthz and /readyz to container probes (plain HTTP, any host).
    "core.health.ProbeMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # request.htmx: is this an htmx request (HX-Request), its target, trigger, current URL.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "core.middleware.SecondFactorMiddleware",
    "core.middleware.ApiGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.i18n.PatientLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RequestContextMiddleware",
    # A session in clinic-tablet signing mode reaches that one request's signing pages only
    # (innermost, so its refusals are audited with the request's address).
    "consent.tablet_mode.TabletModeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.clinic",
            ],
            # |day, |moment, |money in every template: the clinic's one format (core.dates).
            "builtins": ["core.templatetags.clinic"],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "sqlite:///var/pathway.sqlite3"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
# ModelBackend, reading a request's user with their roles and permissions in one query.
AUTHENTICATION_BACKENDS = ["core.auth_backend.GrantsBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Automatic log-off (HIPAA 164.312(a)(2)(iii)): the clinic sets the idle minutes in
# ClinicSettings (core.middleware.IdleTimeoutMiddleware); this is the hard ceiling.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# Database sessions written when their data changes and at most once a minute otherwise, which
# keeps an active session's expiry moving without a write on every request (core.sessions).
SESSION_ENGINE = "core.sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): no inline script or style anywhere, nothing from
# other origins. Drawn signatures are PNG data: URLs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page needs (core.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

# Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDRs, e.g.
# "10.0.0.0/8,127.0.0.1"). The client address is the right-most X-Forwarded-For entry that is
# not one of them. Empty (the default): X-Forwarded-For is ignored and REMOTE_ADDR is used.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", [])

# Sign-in failures allowed per account and per address within the window, then refused. The
# address limit is far above the account limit: many staff share one clinic address.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_ADDRESS_LIMIT = env_int("LOGIN_FAILURE_ADDRESS_LIMIT", 50)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
# Failed electronic-signature re-authentications (wrong password, user ID or code) that lock
# the account for the same window (21 CFR 11.300(d)).
ESIGN_FAILURE_LIMIT = env_int("ESIGN_FAILURE_LIMIT", 10)
# Seconds between the password and the one-time code at sign-in before starting over.
SECOND_FACTOR_PENDING_SECONDS = env_int("SECOND_FACTOR_PENDING_SECONDS", 5 * 60)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Pathway")
# Nesting depth above which a JSON request body is refused with 400 (core.jsonbody).
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 32)

LANGUAGE_CODE = "en-gb"
# Patient-facing pages, messages and PDFs are rendered in the patient's preferred language
# (translation.override); staff pages stay in English. README "Languages".
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# The embedded database, broker folders, cache and static files all live under VAR_DIR.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Outside production (the demo runs with DEBUG off) WhiteNoise serves the files where they lie;
# production serves what collectstatic gathered into STATIC_ROOT.
WHITENOISE_USE_FINDERS = not PRODUCTION

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pathway <no-reply@pathway.invalid>")
if PRODUCTION and EMAIL_BACKEND.endswith("console.EmailBackend"):
    raise ConfigError("EMAIL_BACKEND must be a real mail backend in production.")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=PRODUCTION)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

CLINIC_NAME = env_str("CLINIC_NAME", "Harbour Light Clinic (demo)")
# One date format per audience, the clinic's (core.dates): a day, and a day with a time.
CLINIC_DATE_FORMAT = env_str("CLINIC_DATE_FORMAT", "j M Y")
CLINIC_DATETIME_FORMAT = env_str("CLINIC_DATETIME_FORMAT", "j M Y, H:i")
# ISO 4217 code of the clinic's prices (shown with every amount).
CLINIC_CURRENCY = env_str("CLINIC_CURRENCY", "GBP")

# The outbox (core.outbox): every e-mail and text goes through it. A failed delivery is retried
# after BASE, 2xBASE, 4xBASE ... seconds (at most MAX) until MAX_ATTEMPTS failures mark it
# failed on the staff page; a delivery run holds its claimed messages for LEASE seconds.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 6)
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 3600)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
OUTBOX_MESSAGE_ID_DOMAIN = env_str("OUTBOX_MESSAGE_ID_DOMAIN", "pathway.invalid")
# The demo's mailbox: a readable copy of every message sent (links included) on a staff page
# linked from the header. On by default in development (the demo) only; never in production.
PATHWAY_DEMO_MAILBOX = env_bool("PATHWAY_DEMO_MAILBOX", default=PATHWAY_ENV == "development")
if PRODUCTION and PATHWAY_DEMO_MAILBOX:
    raise ConfigError("PATHWAY_DEMO_MAILBOX keeps patients' links readable: never in production.")
# "Download all my records" (the patient's page): archives per patient in any hour [5], and
# the largest archive built (bytes) [50 MB].
PATHWAY_ARCHIVE_PER_HOUR = env_int("PATHWAY_ARCHIVE_PER_HOUR", 5)
PATHWAY_ARCHIVE_MAX_BYTES = env_int("PATHWAY_ARCHIVE_MAX_BYTES", 50 * 1024 * 1024)
# Text messages: the backend class (core.sms.ConsoleSmsBackend logs them; core.sms.
# WebhookSmsBackend posts to a provider) and the provider's settings.
PATHWAY_SMS_BACKEND = env_str("PATHWAY_SMS_BACKEND", "core.sms.ConsoleSmsBackend")
PATHWAY_SMS_WEBHOOK_URL = env_str("PATHWAY_SMS_WEBHOOK_URL", "")
PATHWAY_SMS_WEBHOOK_USER = env_str("PATHWAY_SMS_WEBHOOK_USER", "")
PATHWAY_SMS_WEBHOOK_TOKEN = env_str("PATHWAY_SMS_WEBHOOK_TOKEN", "")
PATHWAY_SMS_FROM = env_str("PATHWAY_SMS_FROM", "")
if PATHWAY_SMS_BACKEND == "core.sms.WebhookSmsBackend" and not PATHWAY_SMS_WEBHOOK_URL:
    raise ConfigError("PATHWAY_SMS_WEBHOOK_URL is required by core.sms.WebhookSmsBackend.")

# Celery: JSON only, bounded run times; the embedded filesystem broker serves `make demo`.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://" if not PRODUCTION else None)
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    # The filesystem transport needs its folders before the first message.
    for _folder in ("out", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
# Follow-ups the sweep reminds per transaction (planning/followups/sweep.py).
FOLLOWUP_SWEEP_BATCH = env_int("FOLLOWUP_SWEEP_BATCH", 500)
# Recycle a worker's child process after this many tasks or above this resident memory (KiB),
# so a leak in PDF rendering cannot grow without bound.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 200)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 512_000)
# Readiness fails when the worker's or beat's last heartbeat is older than this (core/health.py).
HEALTH_MAX_HEARTBEAT_AGE_SECONDS = env_int("HEALTH_MAX_HEARTBEAT_AGE_SECONDS", 120)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

# Logs: JSON lines in production, readable text elsewhere (LOG_FORMAT=json|text overrides);
# every line carries the request id (core/logs.py), in the worker too.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ConfigError("LOG_FORMAT must be json or text.")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=env_str("LOG_LEVEL", "INFO"))

# Sealed records (records app): the clinic's seal key and certificate (PEM) that seal every
# record PDF, and the trust root a PDF must chain to (default: the seal certificate itself).
# The CONSENT_SEAL_* names of earlier releases are still read. `python manage.py
# make_clinic_certificate` writes a demo pair.
SEAL_KEY_PATH = Path(
    env_str(
        "SEAL_KEY_PATH",
        env_str("CONSENT_SEAL_KEY_PATH", str(VAR_DIR / "seal" / "clinic-seal.key.pem")),
    )
)
SEAL_CERT_PATH = Path(
    env_str(
        "SEAL_CERT_PATH",
        env_str("CONSENT_SEAL_CERT_PATH", str(VAR_DIR / "seal" / "clinic-seal.cert.pem")),
    )
)
SEAL_TRUST_ROOT_PATH = env_str("SEAL_TRUST_ROOT_PATH", env_str("CONSENT_TRUST_ROOT_PATH", ""))
# The demo and test PKI (records/testpki, Certomancer): its services listen on this port and
# its keys live under var/testpki. Never used in production.
PATHWAY_TESTPKI_PORT = env_int("PATHWAY_TESTPKI_PORT", 9878)
TESTPKI_DIR = VAR_DIR / "testpki"
# The RFC 3161 time-stamping authority every seal is time-stamped by (PAdES B-T and up);
# required in production. Development defaults to the demo PKI's test TSA; unset in tests
# (their fixture starts the test PKI and sets it).
PATHWAY_TSA_URL = env_str(
    "PATHWAY_TSA_URL",
    None
    if PRODUCTION
    else ""
    if PATHWAY_ENV == "test"
    else f"http://127.0.0.1:{PATHWAY_TESTPKI_PORT}/pathway-test/tsa/tsa",
)
PATHWAY_TSA_TIMEOUT = env_int("PATHWAY_TSA_TIMEOUT", 10)
# Renew a record's archive time-stamp this many days before its TSA certificate expires.
SEAL_RENEW_BEFORE_DAYS = env_int("SEAL_RENEW_BEFORE_DAYS", 180)
PATHWAY_BASE_URL = env_str(
    "PATHWAY_BASE_URL",
    None if PRODUCTION else f"http://127.0.0.1:{env_str('PATHWAY_PORT', '8000')}",
)
# Passkeys (django-otp-webauthn): a second factor at sign-in, never instead of the password.
# The relying party is the public host name (WebAuthn refuses IP addresses: 127.0.0.1 becomes
# localhost); the allowed origins default to the public address.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_ID = env_str(
    "WEBAUTHN_RP_ID", (urlsplit(PATHWAY_BASE_URL).hostname or "localhost")
).replace("127.0.0.1", "localhost")
OTP_WEBAUTHN_RP_NAME = CLINIC_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ALLOWED_ORIGINS", [PATHWAY_BASE_URL.replace("127.0.0.1", "localhost")]
)
# WeasyPrint narrates every rendering step at INFO; keep its warnings (refused resources).
LOGGING.setdefault("loggers", {}).update(
    {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}}
)

# Audit trail. Writers insert entries pending; the sequencer chains them in batches (beat,
# every AUDIT_SEQUENCE_SECONDS). Inline sequencing chains each entry before audit_record
# returns: the default on SQLite (one writer anyway) and in tests.
AUDIT_SEQUENCE_INLINE = env_bool(
    "AUDIT_SEQUENCE_INLINE",
    default=PATHWAY_ENV == "test" or DATABASES["default"]["ENGINE"].endswith("sqlite3"),
)
AUDIT_SEQUENCE_SECONDS = env_int("AUDIT_SEQUENCE_SECONDS", 2)
AUDIT_SEQUENCE_BATCH = env_int("AUDIT_SEQUENCE_BATCH", 5000)
# Signed checkpoints of the chain's head: how often, where the files go, the Ed25519 key pair
# (the private key only where checkpoints are made: worker, beat, management commands; the
# web process needs at most the public key), and an optional RFC 3161 time-stamping service.
AUDIT_CHECKPOINT_INTERVAL_SECONDS = env_int("AUDIT_CHECKPOINT_INTERVAL_SECONDS", 3600)
AUDIT_CHECKPOINT_DIR = Path(
    env_str("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "records" / "audit-checkpoints"))
)
AUDIT_CHECKPOINT_KEY_FILE = env_str(
    "AUDIT_CHECKPOINT_KEY_FILE",
    "" if PRODUCTION else str(VAR_DIR / "keys" / "audit-checkpoint.key"),
)
AUDIT_CHECKPOINT_PUBLIC_KEY_FILE = env_str(
    "AUDIT_CHECKPOINT_PUBLIC_KEY_FILE",
    "" if PRODUCTION else str(VAR_DIR / "keys" / "audit-checkpoint.pub"),
)
AUDIT_TSA_URL = env_str("AUDIT_TSA_URL", "")
# The files a production web process, worker or beat cannot run without are checked when
# each starts (config/wsgi.py, workers/celery.py), not here, so that `migrate` and
# `make_clinic_certificate` can run first on a new installation.

# The JSON API (api/) and FHIR endpoints (interop/): token authentication for systems, the
# browser session for people; every error is `{"error": code, "message": ...}`.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pathway API",
    "DESCRIPTION": "Patients, cases and their transitions, follow-ups and sealed records. "
    "Authenticate with `Authorization: Token <token>` (issued with "
    "`python manage.py issue_api_token`) or the browser session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}
