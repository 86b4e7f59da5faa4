"""Settings for Pathway: one module, every value read from the environment.

`PATHWAY_ENV=production` refuses to start without the secrets a real deployment needs; the
default (`development`) runs on SQLite with an embedded broker so `make demo` needs no server.
"""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext

from config.env import ConfigError, database_from_url, env_bool, env_int, env_list, env_str

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
    "core",
    "records",
    "consent",
    "planning",
    "workers",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RequestContextMiddleware",
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Automatic log-off (HIPAA 164.312(a)(2)(iii)): the session expires after this many idle seconds.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 15 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Sign-in failures allowed per account and per address within the window, then refused.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# The embedded database, broker folders, cache and static files all live under VAR_DIR.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

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
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

CLINIC_NAME = env_str("CLINIC_NAME", "Harbour Light Clinic (demo)")

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
# Seconds a follow-up sweep holds the rows it claimed (a killed worker's rows return after it).
FOLLOWUP_CLAIM_SECONDS = env_int("FOLLOWUP_CLAIM_SECONDS", 300)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

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
# WeasyPrint narrates every rendering step at INFO; keep its warnings (refused resources).
LOGGING["loggers"] = {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}}
