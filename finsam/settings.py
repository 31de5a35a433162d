"""Settings for Finsam Plan, read from the environment (see README.md, "Drift")."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from finsam.env import env_bool, env_int, env_list, env_str
from finsam.oidc_config import parse_providers, socialaccount_providers

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("FINSAM_DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DEBUG", default=False)
# The test suite (conftest.py sets FINSAM_TESTING) and DEBUG runs get a throwaway key;
# production has no default: a missing SECRET_KEY stops the start-up.
TESTING = env_bool("FINSAM_TESTING", default=False)
if DEBUG or TESTING:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-finsam-plan")
else:
    SECRET_KEY = env_str("SECRET_KEY")
# A förbund's backup (export_forbund, import_forbund; docs/backup.md) is signed with HMAC-SHA256
# under FINSAM_BACKUP_KEY; an import reads a file signed with it or with one of
# FINSAM_BACKUP_OLD_KEYS (keys being rotated out). Production has no default: without a key,
# export refuses and import needs --trust-unsigned, which the förbund's log records. DEBUG and
# the tests get the marked development key, which plans/backup.py refuses outside them. The
# commands check the keys when they run: a bad key stops a backup, never the web app.
DEV_BACKUP_KEY = "dev-only-backup-key-never-in-production-finsam-plan"
BACKUP_KEY = env_str("FINSAM_BACKUP_KEY", DEV_BACKUP_KEY if DEBUG or TESTING else "")
BACKUP_OLD_KEYS = env_list("FINSAM_BACKUP_OLD_KEYS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "djmoney",
    "django_tasks",
    "django_tasks_db",
    "template_partials",
    "django_htmx",
    "django_prose_editor",  # its static files: the rich editor of a section's text
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "finsam",
    "budgets",
    "insatser",
    "plans",
    "followup",
]

MIDDLEWARE = [
    # Outermost: compresses the page every other middleware has finished (FINSAM_COMPRESS).
    "finsam.middleware.CompressPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A role the förbund requires a second factor for, without one: to the page that adds it.
    "finsam.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Inside htmx's: sees every answer to an htmx request, PlanLocked's and the login's too.
    "finsam.middleware.HtmxAnswersMiddleware",
    "plans.middleware.PlanLockedMiddleware",
    # After a change's answer: the plan's pages rendered again for the next reader.
    "plans.middleware.WarmAfterChangeMiddleware",
    "finsam.middleware.SessionActivityMiddleware",
    "finsam.middleware.PrivatePagesMiddleware",
    # Last, as django-axes requires: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

# Pages compressed by the app (finsam.middleware.CompressPagesMiddleware); 0 where the proxy
# compresses them (docs/scaling.md).
FINSAM_COMPRESS = env_bool("FINSAM_COMPRESS", default=True)

# After the answer to a change, the plan's pages are rendered again for the next reader
# (plans.middleware.WarmAfterChangeMiddleware). Off in the tests, whose client runs that work
# inside the request it measures; the tests of warming turn it on.
FINSAM_WARM_AFTER_CHANGE = env_bool("FINSAM_WARM_AFTER_CHANGE", default=not TESTING)

ROOT_URLCONF = "finsam.urls"
# Without JavaScript the budget editor posts its whole grid: a field and its shown twin per cell.
# The largest plans (800 lines × 6 columns) send about 10 000 fields; Django's 1 000 answered 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000
# Every form renders through templates/includes/form.html and includes/field.html.
FORM_RENDERER = "finsam.forms.FormRenderer"
WSGI_APPLICATION = "finsam.wsgi.application"

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
                "finsam.context_processors.memberships",
                "csp.context_processors.nonce",
            ],
            "builtins": ["finsam.templatetags.finsam_tags"],
        },
    },
]

# SQLite in a data directory when DATABASE_URL is unset; PostgreSQL (psycopg 3) in production.
SQLITE_OPTIONS = {
    # A transaction takes the write lock when it begins: a deferred one that has read cannot
    # upgrade while another writes, and its save failed with "database is locked". WAL lets
    # readers go on beside the one writer (the PDF worker writes beside the server).
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A SQLite file named by DATABASE_URL (a second installation, a test run) locks as
        # the default one does; without these, a save beside the PDF worker answered 500.
        DATABASES["default"]["OPTIONS"] = {
            **SQLITE_OPTIONS,
            **DATABASES["default"].get("OPTIONS", {}),
        }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "finsam.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

# Accounts (django-allauth; docs/people.md). No one signs up: a person comes in by an
# invitation from the förbund's kansli (finsam.people) or is set up by the operator. A person
# logs in with username or e-mail address and password, or (where the förbund allows it for
# their role) with a one-time code sent by e-mail; a second factor (an authenticator app's
# codes, recovery codes, a security key or passkey) where the förbund requires it or the
# person chooses it. No page says whether an address has an account.
ACCOUNT_ADAPTER = "finsam.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_USER_DISPLAY = "finsam.accounts.person_label"
ACCOUNT_FORMS = {"login": "finsam.auth_forms.LoginForm"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = env_int("LOGIN_CODE_MINUTES", 10) * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # Django ends the other sessions; this one stays
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG or TESTING else "https"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Finsam Plan: "
# allauth's own limits beside the login lockout of django-axes: codes and reset mails per
# address and per client address; failed logins are axes' to count.
ACCOUNT_RATE_LIMITS = {
    "login": False,
    "login_failed": False,
    "request_login_code": "20/m/ip,3/m/key,10/h/key",
    "reset_password": "20/m/ip,3/m/key,10/h/key",
    "reset_password_from_key": "20/m/ip",
}
# A reset link works once (its token changes with the password and the last login) and for
# this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60) * 60
MFA_ADAPTER = "finsam.accounts.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Finsam Plan"
# A code typed as the 30-second window turns is still taken (the one before or after); a code
# once used is refused for the whole span (allauth marks it in the cache).
MFA_TOTP_TOLERANCE = 1
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
MFA_RECOVERY_CODE_COUNT = 10
USERSESSIONS_TRACK_ACTIVITY = False  # finsam.middleware.SessionActivityMiddleware notes it
# Login with the members' own identity providers (OpenID Connect; finsam/oidc.py): the
# installation names them in FINSAM_OIDC_PROVIDERS (JSON, finsam/oidc_config.py); unset, the
# login page offers none. A provider logs in only an account linked to it (by its owner, on
# /konto/3rdparty/) or one it creates for an invitation to its domain; never one by address.
SOCIALACCOUNT_ENABLED = True
SOCIALACCOUNT_ADAPTER = "finsam.oidc.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict = socialaccount_providers(
    parse_providers(env_str("FINSAM_OIDC_PROVIDERS", ""), allow_http=DEBUG or TESTING)
)
INSTALLED_APPS += ["allauth.socialaccount.providers.openid_connect"]
SOCIALACCOUNT_LOGIN_ON_GET = False  # a login starts by POST from our page, never by a link
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = True  # only ever reached for an invitation (finsam.oidc)
SOCIALACCOUNT_STORE_TOKENS = False  # we need who the person is, not access to the provider
# A provider that does not answer in this many seconds is reported as down.
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 5)

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# Money: kronor only. A fixed choice list keeps migrations stable when babel's currency list
# changes; forms use plain Decimal fields (no one-option currency select).
CURRENCIES = ("SEK",)
CURRENCY_CHOICES = [("SEK", "SEK")]
DEFAULT_CURRENCY = "SEK"

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("FINSAM_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"
# Stored PDFs and logos: a folder (FINSAM_MEDIA_ROOT; shared between app servers, e.g. over
# NFS), or an S3-compatible object store when FINSAM_S3_BUCKET is set (django-storages, the
# optional extra "s3"; docs/scaling.md).
_s3_bucket = env_str("FINSAM_S3_BUCKET", "")
_default_storage = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3_bucket,
            "endpoint_url": env_str("FINSAM_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("FINSAM_S3_REGION", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if _s3_bucket
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# PDFs are rendered in the background: the database backend queues them and
# `manage.py db_worker` (started by bin/run, and by the production service) runs them.
# E-mail about plans (submitted, returned, adopted; plans/notifications.py). In development the
# console backend prints each message; in production set EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and the EMAIL_* settings below.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or TESTING
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Finsam Plan <finsam-plan@localhost>")
# The address links in e-mail point at (no request to take it from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

TASKS = {"default": {"BACKEND": env_str("FINSAM_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# The cache keeps computed figures between requests (budgets.selectors.plan_figures). By default
# the app processes of one machine share files under FINSAM_DATA_DIR/cache (CACHE_BACKEND=file;
# finsam/cache.py); CACHE_BACKEND=locmem gives each process its own (the tests' default),
# CACHE_BACKEND=database shares one table between app servers (run `manage.py
# createcachetable`), CACHE_BACKEND=redis://host:6379/0 a Redis server (the optional extra
# "redis"). Figures are keyed by the förbund's count of changes, so no cache is ever stale,
# only colder.
_cache = env_str("CACHE_BACKEND", "locmem" if TESTING else "file")
if _cache == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "finsam_cache",
        }
    }
elif _cache.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache}
    }
elif _cache == "file":
    CACHES = {
        "default": {
            "BACKEND": "finsam.cache.FileCache",
            "LOCATION": str(Path(env_str("CACHE_DIR", str(DATA_DIR / "cache")))),
            # A large plan's figures are under 1 MB; past 300 entries a third are removed.
            "OPTIONS": {"MAX_ENTRIES": 300},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100},  # a large plan's figures are about 1 MB
        }
    }

# HTTPS. In production (DEBUG off) cookies are secure, plain HTTP is redirected to HTTPS and
# browsers are told to use HTTPS for a year (HSTS); each is configurable (README, "Drift").
_production = not DEBUG and not TESTING
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_production)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _production else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
# Only a proxy that sets the header (and strips it from what clients send) may say that a
# request came over HTTPS: name the header, e.g. SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles from our own origin only; the one
# inline script (the section editor's import map) and the section editor's base styles carry
# the request's nonce. No other inline script or style, no plugin, no framing, forms post only to us. Images may be data: URIs (the logo).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# A session ends after this long without a request (default a working day);
# finsam.middleware.SessionActivityMiddleware moves the end on while the person works.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 8 * 60) * 60
# A password change ends the person's other sessions: Django checks each session's password
# hash on every request (django.contrib.auth.update_session_auth_hash keeps the current one).

# Login throttling (django-axes; finsam/lockout.py). Failed logins within the cool-off are counted
# three ways, each with its own limit. One person from one address: a person's typos, or guesses
# at their password from one place. One person from anywhere: guesses spread over many addresses;
# twice the first, so that a person locked at one place still gets in from another. One address,
# any usernames: a spray of a guess or two per username; ten times the first, because a kommun's
# or region's staff share one public address (and a login resets only that person there). An
# attempt a lock refuses is not counted: hammering neither prolongs a person's lock nor fills
# the address's count, and the Swedish page (429) can say when the lock lifts. The system
# administrator unlocks under Admin › Axes › Access attempts, or with
# `manage.py axes_reset_username USERNAME` and `manage.py axes_reset_ip ADDRESS`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Login by e-mail address (and by a code sent to it): django-allauth.
    "allauth.account.auth_backends.AuthenticationBackend",
]
# allauth's login names the person as "username" or "email"; axes counts failures per account
# whichever was typed (finsam.lockout.login_name).
AXES_USERNAME_CALLABLE = "finsam.lockout.login_name"
LOGIN_FAILURE_LIMITS = {
    ("username", "ip_address"): env_int("AXES_FAILURE_LIMIT", 5),
    ("username",): env_int("AXES_USERNAME_FAILURE_LIMIT", 10),
    ("ip_address",): env_int("AXES_IP_FAILURE_LIMIT", 50),
}
AXES_LOCKOUT_PARAMETERS = [
    parameters[0] if len(parameters) == 1 else list(parameters)
    for parameters in LOGIN_FAILURE_LIMITS
]
AXES_HANDLER = "finsam.lockout.LimitPerParameterHandler"
# The handler answers axes' one comparison against this limit for all three (finsam/lockout.py).
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMITS["username", "ip_address"]
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "finsam.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address is REMOTE_ADDR, which a client cannot choose. Behind a reverse proxy
# every request has the proxy's address; FINSAM_TRUSTED_PROXIES names the proxies (addresses or
# networks, comma-separated), and a request from one of them is taken to come from the nearest
# address in X-Forwarded-For that is not a named proxy (finsam.lockout.client_ip). Only those
# proxies may set the header: from anyone else it is ignored. (Axes' AXES_IPWARE_* settings
# would need django-ipware, which is not installed.)
try:
    TRUSTED_PROXIES = [
        ip_network(proxy, strict=False) for proxy in env_list("FINSAM_TRUSTED_PROXIES")
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"FINSAM_TRUSTED_PROXIES: {exc}") from exc
AXES_CLIENT_IP_CALLABLE = "finsam.lockout.client_ip"

# A per-person limit on expensive work (finsam/ratelimit.py): how many PDFs (rendered plans and
# audit reports) and Excel files (exports, templates, imports, audits) one person may ask for
# within RATE_LIMIT_MINUTES. A draft PDF of an unchanged plan is reused and not counted.
RATE_LIMITS = {
    "pdf": env_int("RATE_LIMIT_PDF", 10),
    "excel": env_int("RATE_LIMIT_EXCEL", 30),
}
RATE_LIMIT_MINUTES = env_int("RATE_LIMIT_MINUTES", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "finsam.log_redact.RedactInvitationTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO; keep its warnings and errors.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
