"""Settings of accord, read from the environment.

Everything a deployment changes comes from an environment variable; the defaults give a
working single-office installation with an SQLite file under ``var/``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ACCORD_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """The key from the environment, else one generated once into var/secret_key."""
    if os.environ.get("ACCORD_SECRET_KEY"):
        return os.environ["ACCORD_SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("ACCORD_DEBUG")
ALLOWED_HOSTS = env_list("ACCORD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("ACCORD_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "accord.core",
    "accord.accounts",
    "accord.partners",
    "accord.agreements",
    "accord.engagements",
    "accord.sources",
    "accord.mobility",
    "accord.funding",
    "accord.plans",
    "accord.reports",
    "accord.bench",
    "accord.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accord.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "accord" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accord.core.context_processors.navigation",
                "accord.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'accord.sqlite3'}",
        conn_max_age=int(os.environ.get("ACCORD_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; the timeout waits for a lock
    # instead of failing at once when two requests write together.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Throttled login: after five failures for one user name from one address, that pair is
# locked for fifteen minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("ACCORD_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = os.environ.get("ACCORD_LANGUAGE", "en")
LANGUAGES = [
    ("vi", "Tiếng Việt"),
    ("en", "English"),
    ("fr", "Français"),
    ("th", "ไทย"),
]
LOCALE_PATHS = [BASE_DIR / "accord" / "locale"]
TIME_ZONE = os.environ.get("ACCORD_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
FORMS_URLFIELD_ASSUME_HTTPS = True
STATICFILES_DIRS = [BASE_DIR / "accord" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files are never served from a public URL: views check permissions first.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/_media_not_public/"

EMAIL_HOST = os.environ.get("ACCORD_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("ACCORD_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("ACCORD_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("ACCORD_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("ACCORD_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("ACCORD_EMAIL_FROM", "accord@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ACCORD_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accord.core.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "accord.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "accord API",
    "DESCRIPTION": "International cooperation records: partners, people and, as they come, "
    "agreements, engagements, mobility, funding and plans.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every language field (names, titles, documents, commitments) shares one enum.
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "accord.partners.languages.language_choices",
        # An engagement's dates and an action's due date share one precision (day or month).
        "DatePrecisionEnum": "accord.engagements.models.DatePrecision",
        # Names that mobility and funding reuse with other choices keep the agreements' enums' names.
        "CefrLevelEnum": "accord.agreements.choices.CefrLevel",
        "DirectionEnum": "accord.agreements.choices.Direction",
        "UnitEnum": "accord.agreements.choices.QuantityUnit",
        # The languages a report is written in (the interface's), apart from a record's language.
        "ReportLanguageEnum": "accord.settings.LANGUAGES",
    },
}


TASKS = {"default": {"BACKEND": os.environ.get("ACCORD_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Agreements: how many days before expiry renewal starts, unless an agreement says otherwise.
ACCORD_RENEWAL_LEAD_DAYS = int(os.environ.get("ACCORD_RENEWAL_LEAD_DAYS", "180"))
# An agreement with no evidence of activity for this long is dormant.
ACCORD_DORMANT_DAYS = int(os.environ.get("ACCORD_DORMANT_DAYS", "365"))
# Month in which the academic year starts (9: September, so 2025/2026 runs Sept–Aug).
ACCORD_ACADEMIC_YEAR_START_MONTH = int(os.environ.get("ACCORD_ACADEMIC_YEAR_START_MONTH", "9"))
ACCORD_DOCUMENT_MAX_BYTES = int(os.environ.get("ACCORD_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))

# Erasmus Without Paper schemas used to validate imported IIA documents; by default the
# shared/ewp/xsd folder beside the project.
ACCORD_EWP_XSD_DIR = os.environ.get("ACCORD_EWP_XSD_DIR") or None

# Uploads of import files are refused above this size.
ACCORD_IMPORT_MAX_BYTES = int(os.environ.get("ACCORD_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
ACCORD_IMPORT_MAX_ROWS = int(os.environ.get("ACCORD_IMPORT_MAX_ROWS", "200000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ACCORD_LOG_LEVEL", "WARNING")},
}

# Labels used in navigation for areas that later issues add.
ACCORD_AREAS = [
    ("partners", _("Partners")),
    ("agreements", _("Agreements")),
    ("engagements", _("Engagements")),
    ("sources", _("Sources")),
    ("mobility", _("Mobility")),
    ("funding", _("Funding")),
    ("plans", _("Plans")),
    ("reports", _("Reports")),
]
