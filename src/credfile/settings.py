"""Django settings for credfile. Every value comes from an environment variable."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from credfile.accounts.choices import Role
from credfile.accounts.sso_config import ldap_settings, oidc_settings, sso_group_map
from credfile.changes.choices import FieldGroup
from credfile.core.env import env_bool, env_choice, env_int, env_list, env_path, env_str
from credfile.core.storage_config import file_storages
from credfile.monitoring.access import parse_networks

# Lets model and admin classes be written with type parameters (ModelAdmin[Customer]).
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent

# The instance directory holds the SQLite database, keys, documents and backups.
CREDFILE_HOME = env_path("CREDFILE_HOME", "./var")
try:
    CREDFILE_HOME.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(f"CREDFILE_HOME={CREDFILE_HOME} cannot be created: {exc}") from exc


def _secret_key() -> str:
    configured = env_str("CREDFILE_SECRET_KEY", "")
    if configured:
        if len(configured) < 32:
            raise ImproperlyConfigured("CREDFILE_SECRET_KEY must be at least 32 characters long")
        return configured
    # First start: make a key and keep it with the instance so sessions survive restarts.
    key_file = CREDFILE_HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# The master key of field encryption lives outside the database (`credfile keys init`).
CREDFILE_KEY_FILE = env_path("CREDFILE_KEY_FILE", str(CREDFILE_HOME / "master.key"))
# Signed digests of the audit trail (docs/audit.md): one file each, written by the daily job
# into the instance directory and, when set, copied to a directory the database's users cannot
# write (another disk, a mounted share, write-once media).
CREDFILE_AUDIT_DIGEST_DIR = CREDFILE_HOME / "audit-digests"
CREDFILE_AUDIT_DIGEST_COPY = (
    env_path("CREDFILE_AUDIT_DIGEST_COPY", "")
    if env_str("CREDFILE_AUDIT_DIGEST_COPY", "")
    else None
)
if CREDFILE_AUDIT_DIGEST_COPY is not None and not CREDFILE_AUDIT_DIGEST_COPY.is_dir():
    raise ImproperlyConfigured(
        f"CREDFILE_AUDIT_DIGEST_COPY={CREDFILE_AUDIT_DIGEST_COPY} is not an existing directory"
    )
# Backups (docs/backup.md): where the daily job writes them, which it keeps, the key they are
# sealed with (empty: one derived from the master key), and the journal of destructions
# a restore re-applies. Keep the journal and the key files where the backups are not.
CREDFILE_BACKUP_DIR = env_path("CREDFILE_BACKUP_DIR", str(CREDFILE_HOME / "backups"))
CREDFILE_BACKUP_KEEP = env_str("CREDFILE_BACKUP_KEEP", "7d,4w,12m")
_backup_key = env_str("CREDFILE_BACKUP_KEY_FILE", "")
CREDFILE_BACKUP_KEY_FILE = Path(_backup_key) if _backup_key else None
CREDFILE_DESTRUCTION_JOURNAL_DIR = env_path(
    "CREDFILE_DESTRUCTION_JOURNAL_DIR", str(CREDFILE_HOME / "destruction-journal")
)
DEBUG = env_bool("CREDFILE_DEBUG", False)
ALLOWED_HOSTS = env_list("CREDFILE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CREDFILE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The admin site records every write it makes in the audit trail (accounts/admin_site.py).
    "credfile.accounts.admin_config.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # API tokens stored as hashes, with a lifetime (CREDFILE_TOKEN_HOURS).
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "credfile.core",
    "credfile.accounts",
    "credfile.audit",
    "credfile.customers",
    "credfile.financials",
    "credfile.transactions",
    "credfile.interactions",
    "credfile.complaints",
    "credfile.surveys",
    "credfile.events",
    "credfile.access",
    "credfile.consent",
    "credfile.changes",
    "credfile.history",
    "credfile.demo",
    "credfile.reviews",
    "credfile.followup",
    "credfile.imports",
    "credfile.ratings",
    "credfile.risk",
    "credfile.limits",
    "credfile.documents",
    "credfile.inspections",
    "credfile.retention",
    "credfile.monitoring",
    "credfile.backups",
    "credfile.home",
    "credfile.reports",
]

MIDDLEWARE = [
    # First: counts and times every response, whichever layer gives it (docs/monitoring.md).
    "credfile.monitoring.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "credfile.core.middleware.ContentSecurityPolicyMiddleware",
    # /healthz, /readyz and /metrics, answered before sessions, sign-in and CSRF.
    "credfile.monitoring.middleware.ProbeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "credfile.core.middleware.NoStoreMiddleware",
    "credfile.core.middleware.SessionTimeoutMiddleware",
    "credfile.accounts.middleware.OTPRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "credfile.core.middleware.RequestContextMiddleware",
    "credfile.core.middleware.BadInputMiddleware",
    # Last, so that it turns the lockout flag set while logging in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "credfile.urls"
WSGI_APPLICATION = "credfile.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "credfile.core.context_processors.policy",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    default_sqlite = f"sqlite:///{CREDFILE_HOME / 'credfile.sqlite3'}"
    url = env_str("DATABASE_URL", default_sqlite)
    try:
        # Seconds a PostgreSQL connection is kept for the next request of its worker: 0
        # behind a pooler (PgBouncer), or under a server that starts a thread per request
        # (the development server), where each thread would keep its own.
        max_age = env_int("CREDFILE_DB_CONN_MAX_AGE", 60, minimum=0)
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=max_age))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer commits; IMMEDIATE avoids lock upgrades.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 0
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiler took 2.3 s of a 2.5 s portfolio ageing over 524,137
        # invoices (the estimate of a report's correlated subqueries is high; the work is
        # not): off for credfile's sessions, whatever the server's default.
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    else:
        raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL")
    test_name = env_str("CREDFILE_TEST_DATABASE_NAME", "")
    if test_name:
        config["TEST"] = {"NAME": test_name}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Axes first: it refuses a locked-out username and address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Single sign-on (docs/sso.md): an LDAP / Active Directory directory and an OpenID Connect
# provider, each only when configured; local accounts keep signing in with their password.
CREDFILE_SSO_GROUP_MAP = sso_group_map()
for _name, _value in {**ldap_settings(), **oidc_settings()}.items():
    globals()[_name] = _value
CREDFILE_LDAP_ENABLED = "AUTH_LDAP_SERVER_URI" in globals()
CREDFILE_OIDC_ENABLED = "CREDFILE_OIDC" in globals()
if CREDFILE_LDAP_ENABLED:
    AUTHENTICATION_BACKENDS.append("credfile.accounts.ldap_backend.DirectoryLDAPBackend")
if CREDFILE_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("credfile.accounts.oidc.DirectoryOIDCBackend")
if (CREDFILE_LDAP_ENABLED or CREDFILE_OIDC_ENABLED) and not CREDFILE_SSO_GROUP_MAP:
    raise ImproperlyConfigured(
        "Single sign-on needs CREDFILE_SSO_GROUP_MAP or CREDFILE_SSO_GROUP_MAP_FILE: "
        "without it nobody from the directory could sign in"
    )

# Login throttling (django-axes): lock a username from one address after repeated failures.
AXES_FAILURE_LIMIT = env_int("CREDFILE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CREDFILE_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "credfile.accounts.lockout.lockout_response"
# A provider's refused sign-in counts against the name it vouched for (docs/sso.md).
AXES_USERNAME_CALLABLE = "credfile.accounts.lockout.attempt_username"

# Reverse proxies (docs/deployment.md): how many trusted proxies stand before credfile, and
# the header each appends the client's address to. The lockout, the audit trail and the logs
# take the client's address by this one rule (credfile.core.client_ip); 0 ignores the header.
CREDFILE_PROXY_COUNT = env_int("CREDFILE_PROXY_COUNT", 0, minimum=0)
CREDFILE_CLIENT_IP_HEADER = env_str("CREDFILE_CLIENT_IP_HEADER", "X-Forwarded-For").strip()
if not CREDFILE_CLIENT_IP_HEADER or not all(
    ch.isalnum() or ch == "-" for ch in CREDFILE_CLIENT_IP_HEADER
):
    raise ImproperlyConfigured(
        "CREDFILE_CLIENT_IP_HEADER must be an HTTP header name such as X-Forwarded-For"
    )
CREDFILE_CLIENT_IP_META = "HTTP_" + CREDFILE_CLIENT_IP_HEADER.upper().replace("-", "_")
AXES_CLIENT_IP_CALLABLE = "credfile.core.client_ip.client_ip"

# Second factor (django-otp, TOTP) for these roles; an empty list turns it off.
CREDFILE_OTP_REQUIRED_ROLES = env_list(
    "CREDFILE_OTP_REQUIRED_ROLES", [Role.ADMIN, Role.EXECUTIVE, Role.AUDITOR]
)
if unknown_roles := set(CREDFILE_OTP_REQUIRED_ROLES) - set(Role.values):
    raise ImproperlyConfigured(
        f"CREDFILE_OTP_REQUIRED_ROLES names unknown roles {sorted(unknown_roles)}; "
        f"choose from {Role.values}"
    )
OTP_TOTP_ISSUER = env_str("CREDFILE_OTP_ISSUER", "credfile")
# The admin never shows a device's secret key or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Financial statements balance when total assets and liabilities plus equity differ by at
# most this many units of the statement's currency (rounding in the source statements).
try:
    CREDFILE_BALANCE_TOLERANCE = Decimal(env_str("CREDFILE_BALANCE_TOLERANCE", "1.00"))
except InvalidOperation as exc:
    raise ImproperlyConfigured("CREDFILE_BALANCE_TOLERANCE must be a decimal amount") from exc
if not CREDFILE_BALANCE_TOLERANCE.is_finite() or CREDFILE_BALANCE_TOLERANCE < 0:
    raise ImproperlyConfigured("CREDFILE_BALANCE_TOLERANCE must be zero or a positive amount")

# API tokens (django-rest-knox): only a hash is stored; each lives this many hours, and is
# revoked early by logout, a password change, deactivation or a second-factor reset.
CREDFILE_TOKEN_HOURS = env_int("CREDFILE_TOKEN_HOURS", 8, minimum=1)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=CREDFILE_TOKEN_HOURS),
    "AUTH_HEADER_PREFIX": "Bearer",
    "AUTO_REFRESH": False,
}
# Role and department changes (and activating a file-reading account) wait for an
# executive's approval; false applies them at once (a one-person office), still audited.
CREDFILE_PRIVILEGE_APPROVAL = env_bool("CREDFILE_PRIVILEGE_APPROVAL", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("CREDFILE_PASSWORD_MIN_LENGTH", 10, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("CREDFILE_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured("CREDFILE_LANGUAGE must be 'zh-hans' or 'en'")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("CREDFILE_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CREDFILE_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Served by WhiteNoise, no CDN. After `credfile collectstatic` (docs/deployment.md) pages name
# each file by its content hash, and WhiteNoise serves those names compressed and cached for
# good; without it (development, tests) the plain names straight from the package
# (core/staticfiles.py).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_AGE = env_int("CREDFILE_SESSION_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A session unused this long ends (credfile.core.middleware.SessionTimeoutMiddleware).
CREDFILE_SESSION_IDLE_MINUTES = env_int("CREDFILE_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("CREDFILE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A refused form gets the site's translated 403 page, not Django's English one.
CSRF_FAILURE_VIEW = "credfile.core.views.csrf_failure"
if SESSION_COOKIE_SECURE:
    # Served over HTTPS: browsers should never fall back to plain HTTP.
    SECURE_HSTS_SECONDS = env_int("CREDFILE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CREDFILE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("CREDFILE_HSTS_PRELOAD", False)
if env_bool("CREDFILE_BEHIND_HTTPS_PROXY", False):
    # Only behind a proxy that sets this header itself and drops the client's copy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env_str("CREDFILE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("CREDFILE_FROM_EMAIL", "credfile@localhost")

# Periodic reviews: remind this many days ahead; escalate this many days after the due date.
CREDFILE_REVIEW_REMINDER_DAYS = env_int("CREDFILE_REVIEW_REMINDER_DAYS", 14, minimum=1)
CREDFILE_REVIEW_ESCALATION_DAYS = env_int("CREDFILE_REVIEW_ESCALATION_DAYS", 0, minimum=0)
# Hours before a complaint's deadline its owner is reminded (docs/complaints.md).
CREDFILE_COMPLAINT_REMIND_HOURS = env_int("CREDFILE_COMPLAINT_REMIND_HOURS", 24, minimum=1)
# The value rating counts the file's complaints (docs/ratings.md); off: the shipped card.
CREDFILE_VALUE_CARD_COMPLAINTS = env_bool("CREDFILE_VALUE_CARD_COMPLAINTS", False)
# A promise to pay is broken when, after its date, less than the promised amount minus this
# tolerance (in the invoice's currency) has been paid since it was made.
CREDFILE_PROMISE_TOLERANCE = env_str("CREDFILE_PROMISE_TOLERANCE", "1.00")
# Imports started on the page run in a thread of the web process and report their progress;
# off, the page waits for the whole file (one request).
CREDFILE_IMPORTS_IN_BACKGROUND = env_bool("CREDFILE_IMPORTS_IN_BACKGROUND", True)
# Only when scaled out with Celery (docs/operations.md): redis://… or amqp://…
CELERY_BROKER_URL = env_str("CREDFILE_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env_str("CREDFILE_RESULT_BACKEND", "") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env_str("CREDFILE_TASK_QUEUE", "credfile")

CREDFILE_PAGE_SIZE = env_int("CREDFILE_PAGE_SIZE", 25, minimum=5)
# The font embedded in PDF reports, which must hold Chinese (docs/reports.md): a TrueType or
# OpenType file or collection (.ttc: its Simplified Chinese face is used).
CREDFILE_PDF_FONT = env_path(
    "CREDFILE_PDF_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
)

# Field groups whose changes need a department head's approval (credfile.changes.registry).
CREDFILE_APPROVAL_GROUPS = env_list("CREDFILE_APPROVAL_GROUPS", FieldGroup.values)
if unknown_groups := set(CREDFILE_APPROVAL_GROUPS) - set(FieldGroup.values):
    raise ImproperlyConfigured(
        f"CREDFILE_APPROVAL_GROUPS names unknown groups {sorted(unknown_groups)}; "
        f"choose from {FieldGroup.values}"
    )

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "credfile.core.authentication.BearerTokenAuthentication",
        "credfile.core.authentication.OTPSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "credfile.core.api.KeysetPagination",
    "PAGE_SIZE": CREDFILE_PAGE_SIZE,
    "EXCEPTION_HANDLER": "credfile.core.api.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["credfile.core.parsers.BoundedJSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "credfile API",
    "DESCRIPTION": "Customer credit files — 客户信用档案管理系统 REST API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Several models have a `kind` or `status`; name each choice set after its meaning.
    "ENUM_NAME_OVERRIDES": {
        "CustomerKindEnum": "credfile.customers.choices.CustomerKind",
        "CustomerStatusEnum": "credfile.customers.choices.CustomerStatus",
        "SettableCustomerStatusEnum": "credfile.customers.choices.SETTABLE_STATUSES",
        "AddressKindEnum": "credfile.customers.choices.AddressKind",
        "ContractStatusEnum": "credfile.transactions.choices.ContractStatus",
        "ServiceKindEnum": "credfile.interactions.choices.ServiceKind",
        "NoteKindEnum": "credfile.interactions.choices.NoteKind",
        "CurrencyEnum": "credfile.core.models.Currency",
        "ReviewConclusionEnum": "credfile.reviews.choices.ReviewConclusion",
        "RiskLevelEnum": "credfile.reviews.choices.RiskLevel",
        "ServiceChannelEnum": "credfile.interactions.choices.Channel",
        "ConsentChannelEnum": "credfile.consent.choices.ConsentChannel",
        "RoleEnum": "credfile.accounts.choices.Role",
        "PrivilegeChangeStatusEnum": "credfile.accounts.choices.PrivilegeChangeStatus",
        "CollectionActionKindEnum": "credfile.followup.choices.ActionKind",
        "PastDueBandEnum": "credfile.followup.choices.PastDueBand",
        "ComplaintStatusEnum": "credfile.complaints.choices.Status",
        "ComplaintSeverityEnum": "credfile.complaints.choices.Severity",
        "ComplaintCategoryEnum": "credfile.complaints.choices.Category",
        "QuestionnaireKindEnum": "credfile.surveys.choices.Kind",
        "QuestionKindEnum": "credfile.surveys.choices.QuestionKind",
        "SurveyResponseStatusEnum": "credfile.surveys.choices.ResponseStatus",
        "SurveyPeriodEnum": "credfile.surveys.choices.Period",
        "EventKindEnum": "credfile.events.choices.EventKind",
        "EventStatusEnum": "credfile.events.choices.EventStatus",
        "InvitationStatusEnum": "credfile.events.choices.InvitationStatus",
        # The file's category keeps the name it had before complaints had one.
        "CategoryEnum": "credfile.customers.choices.CustomerCategory",
        "OpenOrderKindEnum": "credfile.limits.choices.OrderKind",
        "OpenOrderClosingEnum": "credfile.limits.choices.OrderClosing",
        # A certificate's kind is a retention record kind: one choice set, one name.
        "RecordKindEnum": "credfile.retention.choices.RecordKind",
    },
}

# Log lines as plain text or one JSON object each (docs/monitoring.md), masked alike.
CREDFILE_LOG_FORMAT = env_choice("CREDFILE_LOG_FORMAT", "plain", {"plain", "json"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "credfile.monitoring.logs.MaskedJsonFormatter"},
    },
    # Every line passes the mask: search terms in URLs may be ID or phone numbers.
    "filters": {
        "mask": {"()": "credfile.core.logfilter.MaskSensitiveFilter"},
        "request_id": {"()": "credfile.monitoring.logs.RequestIdFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": CREDFILE_LOG_FORMAT,
            "filters": ["request_id", "mask"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("CREDFILE_LOG_LEVEL", "INFO")},
    # axes announces itself at INFO on every start; its failures and lockouts are WARNINGs.
    "loggers": {
        # Named, so that Django's own default handlers (an unmasked console when DEBUG is on,
        # mail to the admins) are replaced, not left on the "django" logger beside ours.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # The development server's access log, through the same masking handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# Receivables ageing: the upper day bounds of the past-due buckets after "current" (≤ 0 days);
# the last bound opens the "over" bucket (e.g. "30,60,90,180" adds 91–180 and 180+).
_buckets = env_list("CREDFILE_AGEING_BUCKETS", ["30", "60", "90"])
if not all(v.isdigit() for v in _buckets) or not _buckets:
    raise ImproperlyConfigured("CREDFILE_AGEING_BUCKETS must be day counts, e.g. 30,60,90")
CREDFILE_AGEING_BUCKETS = [int(v) for v in _buckets]
if (
    sorted(set(CREDFILE_AGEING_BUCKETS)) != CREDFILE_AGEING_BUCKETS
    or CREDFILE_AGEING_BUCKETS[0] < 1
):
    raise ImproperlyConfigured("CREDFILE_AGEING_BUCKETS must be increasing and at least 1 day")


# Credit limits and the exposure check (docs/limits.md).
def _env_decimal(name: str, default: str) -> Decimal:
    raw = env_str(name, default)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a number, e.g. {default}") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} must not be negative")
    return value


# Requests above this amount (in any currency's units) are approved by the executive.
CREDFILE_LIMIT_EXECUTIVE_ABOVE = _env_decimal("CREDFILE_LIMIT_EXECUTIVE_ABOVE", "5000000")
CREDFILE_LIMIT_ROUNDING = _env_decimal("CREDFILE_LIMIT_ROUNDING", "1000")
CREDFILE_LIMIT_REVIEW_MONTHS = env_int("CREDFILE_LIMIT_REVIEW_MONTHS", 12, minimum=1)
CREDFILE_LIMIT_CURRENCY = env_str("CREDFILE_LIMIT_CURRENCY", "CNY")
CREDFILE_EXPOSURE_COUNTS = env_list("CREDFILE_EXPOSURE_COUNTS", ["orders", "shipments"])
if not set(CREDFILE_EXPOSURE_COUNTS) <= {"orders", "shipments"}:
    raise ImproperlyConfigured("CREDFILE_EXPOSURE_COUNTS takes orders and/or shipments")
CREDFILE_EXPOSURE_TOLERANCE = _env_decimal("CREDFILE_EXPOSURE_TOLERANCE", "0.05")
CREDFILE_EXPOSURE_MAX_OVERDUE_DAYS = env_int("CREDFILE_EXPOSURE_MAX_OVERDUE_DAYS", 90, minimum=0)
CREDFILE_EXPOSURE_GRADE_FLOOR = env_str("CREDFILE_EXPOSURE_GRADE_FLOOR", "CCC")
# The most open orders one POST /api/v1/open-orders/bulk/ may carry.
CREDFILE_OPEN_ORDERS_BULK_MAX = env_int("CREDFILE_OPEN_ORDERS_BULK_MAX", 500)


# Documents on a file (docs/documents.md): where they are kept, how they are named, limits.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed copies after `credfile collectstatic`; the plain names before it.
    "staticfiles": {"BACKEND": "credfile.core.staticfiles.StaticStorage"},
    # Documents, and archived files' documents (docs/archive.md): local directories, or
    # S3-compatible storage when CREDFILE_DOCUMENT_S3_BUCKET / CREDFILE_ARCHIVE_S3_BUCKET is set.
    **file_storages(CREDFILE_HOME),
}
CREDFILE_DOCUMENT_NAMING = env_str("CREDFILE_DOCUMENT_NAMING", "{code}_{type}_{date}_{seq}.{ext}")
for _placeholder in ("{seq}", "{ext}"):
    if _placeholder not in CREDFILE_DOCUMENT_NAMING:
        raise ImproperlyConfigured(f"CREDFILE_DOCUMENT_NAMING must contain {_placeholder}")
try:
    CREDFILE_DOCUMENT_NAMING.format(code="C", type="t", date="20260101", seq="001", ext="pdf")
except (KeyError, IndexError, ValueError) as _exc:
    raise ImproperlyConfigured(
        "CREDFILE_DOCUMENT_NAMING takes only {code}, {type}, {date}, {seq} and {ext}"
    ) from _exc
CREDFILE_DOCUMENT_MAX_BYTES = env_int("CREDFILE_DOCUMENT_MAX_BYTES", 20_000_000, minimum=1)
CREDFILE_DOCUMENT_ZIP_MAX_BYTES = env_int("CREDFILE_DOCUMENT_ZIP_MAX_BYTES", 100_000_000, minimum=1)
CREDFILE_DOCUMENT_ZIP_MAX_RATIO = env_int("CREDFILE_DOCUMENT_ZIP_MAX_RATIO", 100, minimum=1)
CREDFILE_DOCUMENT_ZIP_MAX_MEMBERS = env_int("CREDFILE_DOCUMENT_ZIP_MAX_MEMBERS", 2000, minimum=1)
# The integrity inspection (docs/documents.md): the daily job runs one when the last
# finished one is this many days old; 0 turns the scheduled inspection off.
CREDFILE_INSPECTION_DAYS = env_int("CREDFILE_INSPECTION_DAYS", 7, minimum=0)
CREDFILE_INSPECTION_IN_BACKGROUND = env_bool("CREDFILE_INSPECTION_IN_BACKGROUND", True)

# Monitoring (docs/monitoring.md): /readyz fails when no scheduled job finished for this many
# hours (they run daily); /metrics answers these networks, or whoever sends the token.
CREDFILE_READY_JOB_STALE_HOURS = env_int("CREDFILE_READY_JOB_STALE_HOURS", 26, minimum=1)
CREDFILE_METRICS_ALLOWED = parse_networks(
    env_list("CREDFILE_METRICS_ALLOWED", ["127.0.0.1/32", "::1/128"])
)
CREDFILE_METRICS_TOKEN = env_str("CREDFILE_METRICS_TOKEN", "")
if CREDFILE_METRICS_TOKEN and len(CREDFILE_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("CREDFILE_METRICS_TOKEN must be at least 32 characters long")
# prometheus_client's multi-process mode writes there from the first request on.
if (_multiproc := env_str("PROMETHEUS_MULTIPROC_DIR", "")) and not Path(_multiproc).is_dir():
    raise ImproperlyConfigured(
        f"PROMETHEUS_MULTIPROC_DIR={_multiproc} is not an existing directory"
    )

# A cache shared by every server (docs/deployment.md, "Several machines"): redis://… through
# Django's own RedisCache, or the default per-process memory. Sign-ins, sessions and lockouts
# live in the database and need no shared cache.
CREDFILE_CACHE_URL = env_str("CREDFILE_CACHE_URL", "")
if CREDFILE_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CREDFILE_CACHE_URL,
            "KEY_PREFIX": "credfile",
        }
    }
elif CREDFILE_CACHE_URL:
    raise ImproperlyConfigured("CREDFILE_CACHE_URL must be a redis:// URL, or empty")

# `credfile serve` (credfile.core.serve): gunicorn in front of credfile.wsgi; each value can
# also be given as an option of the command.
CREDFILE_SERVE_BIND = env_str("CREDFILE_SERVE_BIND", "127.0.0.1:8000")
# The cores this process may run on (a container's limit), not the machine's.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
CREDFILE_SERVE_WORKERS = env_int("CREDFILE_SERVE_WORKERS", min(2 * _CORES + 1, 9), minimum=1)
CREDFILE_SERVE_THREADS = env_int("CREDFILE_SERVE_THREADS", 1, minimum=1)
CREDFILE_SERVE_TIMEOUT = env_int("CREDFILE_SERVE_TIMEOUT", 60, minimum=1)
CREDFILE_SERVE_GRACEFUL_TIMEOUT = env_int("CREDFILE_SERVE_GRACEFUL_TIMEOUT", 30, minimum=1)
CREDFILE_SERVE_MAX_REQUESTS = env_int("CREDFILE_SERVE_MAX_REQUESTS", 0, minimum=0)
CREDFILE_SERVE_ACCESS_LOG = env_bool("CREDFILE_SERVE_ACCESS_LOG", False)
