"""pocflow settings, read from the environment with safe defaults.

Nothing configured: SQLite in the project folder, mail to the console, background
jobs inline. Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis or
RabbitMQ), EMAIL_URL, SECRET_KEY, ALLOWED_HOSTS and SITE_URL. `.env.example` lists them.
"""

import datetime
from pathlib import Path

import django.forms
import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="pocflow-insecure-development-key-change-me")  # refused by the servers
ALLOWED_HOSTS_SET = "ALLOWED_HOSTS" in env.ENVIRON
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The operating center shown in every page's header; the logo is a path under static/ (empty: none)
POCFLOW_CENTER_NAME = env.str("POCFLOW_CENTER_NAME", default="pocflow")
POCFLOW_CENTER_LOGO = env.str("POCFLOW_CENTER_LOGO", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "viewflow",
    "viewflow.workflow",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "accounts",
    "forms",
    "proposals",
    "reviews",
    "funding",
    "incubation",
    "centers",
    "decisions",
    "workflows",
    "demo",
    "api",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

# Widgets render through the project's template engine (Django's widget templates are its second
# directory), so templates/django/forms/widgets/select_option.html names a choice field's empty value in
# the reader's language instead of Django's `---------`.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "core.observability.RequestIdMiddleware",
    "core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    # before anything reads the body (CSRF reads POST in process_view, after every __call__ above)
    "core.bodylimit.BodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.TwoFactorEnforcementMiddleware",
    "core.middleware.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last: turns a login refused by the lockout into the translated 429 page (accounts/lockout.html)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pocflow.urls"
WSGI_APPLICATION = "pocflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", Path(django.forms.__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "core.context_processors.center",
                "workflows.context_processors.navigation",
            ],
            "builtins": ["core.numbers", "core.zones"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A lock held by someone else is waited for this long, then the user is told to try again (core.middleware):
# never a hang. SQLite's busy timeout plays the same part for its database-wide write lock.
DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", default=5000)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c lock_timeout={DB_LOCK_TIMEOUT_MS}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # first: refuses a locked-out username or address before any password is checked (django-axes)
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's default hashers and cost; PBKDF2 runs at a lower CPU priority so sign-ins never crowd out
# pages (core/passwords.py). PASSWORD_HASH_NICE=0 keeps it at normal priority.
PASSWORD_HASHERS = [
    "core.passwords.BackgroundPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_HASH_NICE = env.int("PASSWORD_HASH_NICE", default=10)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes, failures and lockouts in the admin under "Axes"): after AXES_FAILURE_LIMIT
# failed logins a username is locked out, and so is an address trying many usernames (each counted on its
# own), for AXES_COOLOFF_MINUTES; a successful login clears the username's failures. Administrators
# unlock in the admin (delete the access attempt) or with `manage.py axes_reset`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = env.bool("AXES_RESET_ON_SUCCESS", default=True)
AXES_LOCKOUT_CALLABLE = "accounts.views.login.locked_out"  # the translated page accounts/lockout.html
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
AXES_SENSITIVE_PARAMETERS = []  # the admin lists who was locked out, from where
# The client's address: REMOTE_ADDR, unless pocflow runs behind reverse proxies that set X-Forwarded-For:
# then TRUSTED_PROXY_COUNT says how many (the address is the one the outermost trusted proxy saw).
# Left at 0, X-Forwarded-For is ignored: anyone could write it. Lockouts and rate limits use the same.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
RATELIMIT_IP_META_KEY = "accounts.client_ip.client_ip"

# Two-factor login (django-otp TOTP): staff and superusers may enrol at /accounts/two-factor/; with
# OTP_REQUIRED_FOR_ADMINS superusers and administrators must enrol before any other page.
OTP_REQUIRED_FOR_ADMINS = env.bool("OTP_REQUIRED_FOR_ADMINS", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="pocflow")
# An e-mail address change waits for the link sent to the new address, valid this long
EMAIL_CHANGE_MAX_AGE_SECONDS = env.int("EMAIL_CHANGE_MAX_AGE_SECONDS", default=2 * 24 * 3600)

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")  # also the language of management commands
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
# Static files are served by the app itself (WhiteNoise): compressed, with content-hashed names and
# year-long cache headers once `make build` has collected them; straight from the folders before that.
STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder", "core.staticfiles.AppStaticFinder"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.staticfiles.StaticStorage"
                    if (STATIC_ROOT / "staticfiles.json").exists() or env.bool("STATIC_MANIFEST", default=False)
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded and generated files are private: they are served only through views that
# check permission, never from a public MEDIA_URL.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"

# Uploads
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Request bodies (core.bodylimit): refused with 413 before they are read. The default, then limits per
# URL name; the application form's page computes its own from its call's file questions (proposals).
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=UPLOAD_MAX_BYTES + 1024 * 1024)
REQUEST_BODY_LIMITS = {
    "decisions:verify": 5 * 1024 * 1024,  # pocflow's own documents, or a fingerprint
    "pool:import": 6 * 1024 * 1024,  # the expert import file (at most 5 MB) and the form
}
# Form fields other than files (Django refuses more with 400); files over the second spool to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# What qpdf may decode from one stream of an uploaded PDF (object streams; forms.pdfs), per stream.
PDF_MAX_DECODED_BYTES = env.int("PDF_MAX_DECODED_BYTES", default=64 * 1024 * 1024)
# The check runs in a child process with at most this much address space and processor time.
PDF_CHECK_MAX_MEMORY = env.int("PDF_CHECK_MAX_MEMORY", default=512 * 1024 * 1024)
PDF_CHECK_SECONDS = env.int("PDF_CHECK_SECONDS", default=20)

# Mail: console by default, SMTP (or anything django-environ understands) by EMAIL_URL.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pocflow <noreply@pocflow.local>")
# the domain part of the Message-ID an owed mail carries (fixed by its key, so a resend is one message)
MAIL_ID_DOMAIN = env.str("MAIL_ID_DOMAIN", default="pocflow.local")

# Background work: Celery with a broker when CELERY_BROKER_URL is set, inline otherwise.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Nothing owed is lost (core.outbox): a task is acknowledged only when it finished, a task whose worker
# died goes back to the queue, a worker takes one message at a time, and a message a dead worker held
# unacknowledged returns within minutes (Redis; RabbitMQ returns it when the connection drops).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# workers log through Django's LOGGING (same format, request ids) instead of Celery's own root handler
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# a request that dispatches after commit waits at most a few seconds for a broker that is down or hangs
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=3.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "max_retries": 0,
}
# The outbox: attempts before a delivery is given up (and shown to staff), backoff between attempts,
# and how long a dispatched row may wait for a worker before the sweep dispatches it again.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BACKOFF_SECONDS = env.int("OUTBOX_BACKOFF_SECONDS", default=30)
OUTBOX_BACKOFF_CAP_SECONDS = env.int("OUTBOX_BACKOFF_CAP_SECONDS", default=3600)
OUTBOX_REDISPATCH_AFTER_SECONDS = env.int("OUTBOX_REDISPATCH_AFTER_SECONDS", default=120)
# /metrics (Prometheus): answered to these addresses, or to "Authorization: Bearer <METRICS_TOKEN>"
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# /readyz fails when more than this many owed deliveries are older than this many seconds
READYZ_OUTBOX_MAX_BACKLOG = env.int("READYZ_OUTBOX_MAX_BACKLOG", default=50)
READYZ_OUTBOX_STALE_SECONDS = env.int("READYZ_OUTBOX_STALE_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE = {
    # review-deadline timers, reminder mails, public notices whose period ended (workflows.tasks.sweep);
    # a run not picked up within the minute is dropped: the next one does the same work
    "fire-workflow-timers": {"task": "workflows.tasks.fire_timers", "schedule": 60.0, "options": {"expires": 55}},
}

# Rate limits and lockout counters must be shared by every server process: production sets
# CACHE_URL=redis://127.0.0.1:6379/1 (.env.example); the embedded default keeps them per process.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Named rate limits (core/ratelimit.py), "count/period" with period s, m, h or d; each overridable
# from the environment as RATE_LIMIT_<NAME>.
RATE_LIMITS = {name: env.str(f"RATE_LIMIT_{name.upper()}", default=rate) for name, rate in {
    "password_reset_ip": "10/h",      # reset requests from one address
    "password_reset_email": "3/h",    # reset mails to one account
    "register_ip": "10/h",            # registrations from one address
    "profile_email_user": "5/h",      # e-mail address changes by one user
    "verify_ip": "60/m",              # public document verifications from one address
    "objection_ip": "5/h",            # objections lodged from one address
    "objection_notice": "30/h",       # objections lodged against one public notice
    "objection_email": "3/h",         # objections lodged with one e-mail address (each sends it a mail)
}.items()}
RATELIMIT_USE_CACHE = "default"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS (set in production; .env.example documents each). Cookies are secure whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
INSECURE_SECRET_KEY = "pocflow-insecure-development-key-change-me"

# Logs: a readable line by default, one JSON object per line with LOG_FORMAT=json; UTC timestamps either
# way, and every record carries the request id and user id (core.observability).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.observability.ContextFilter"}},
    "formatters": {
        "text": {"()": "core.observability.UTCFormatter",
                 "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"},
        "json": {"()": "core.observability.JSONFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # requests and domain events (transitions, decisions, payments): on in JSON logs, quiet in the plain default
    "loggers": {"pocflow": {"level": env.str("APP_LOG_LEVEL", default="INFO" if LOG_FORMAT == "json" else "WARNING")}},
}

VIEWFLOW = {}


# The REST API (/api/v1/, api app): session for the browser, per-user tokens for other systems; errors as RFC 9457
# problem details; pages of 50; throttled per user or token (the shared cache: CACHE_URL).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.authentication.TokenScopeAllows"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.handle",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle", "rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_THROTTLE_ANON", default="120/minute"),
                               "user": env.str("API_THROTTLE_USER", default="600/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "pocflow API",
    "DESCRIPTION": "Calls, proposals and their lifecycle for the systems a proof-of-concept center already runs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served by the app: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_problem_responses"],
}
