"""gunicorn's configuration: the production image runs `gunicorn dms.wsgi:application --config <this file>` and
takes everything from here (PORT, WEB_CONCURRENCY, GUNICORN_TIMEOUT from the environment); `make serve` / `make run`
give their own bind and workers on the command line, which win over this file.

Sync workers, one thread each: django-tenants keeps the tenant's schema on the worker's database connection.
Metrics: with PROMETHEUS_MULTIPROC_DIR set (the image sets it), the directory is emptied when the master starts and a
dead worker's live gauges are dropped (prometheus_client's multiprocess mode; dms/metrics.py).

In development without STRIPE_SECRET_KEY (settings.STRIPE_FAKE), the local fake of Stripe (billing_saas.stripe_fake)
runs in gunicorn's master process: one for every worker, outliving their restarts, its state kept in the data folder
(.data/stripe_fake.json). Its webhooks go to our endpoint on PLATFORM_DOMAIN from a thread, after the request that
caused them (a worker is free to answer them). Production sets a key and nothing starts here.

Likewise in development (settings.CNPAY_FAKE: DJANGO_ENV development and no WECHATPAY_API_BASE / ALIPAY_GATEWAY set),
local fakes of WeChat Pay and Alipay (finance/payments/fakes) on WECHATPAY_FAKE_PORT and ALIPAY_FAKE_PORT. Their keys
stay in the data folder across restarts (<code>_fake_keys.json), and the test credentials a brand pastes into
/console/finance/providers/ are written beside them (<code>_fake_credentials.json). Their notifications go to the
notify_url each payment gave (the brand's /finance/payments/webhook/<code>/) from a thread.
"""

import json
import os
import shutil
from pathlib import Path

pythonpath = str(Path(__file__).resolve().parents[1])  # platform/: the `dms` package (never a package itself)
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 1
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))  # bounds what one worker's connection caches
max_requests_jitter = max_requests // 10
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The access log is the application's own (logger dms.access: view, status, duration, tenant, request and user ids).


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def when_ready(server):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms.settings")
    from django.conf import settings

    if settings.CNPAY_FAKE:
        _cnpay_fakes(server, settings)
    if not settings.STRIPE_FAKE:
        return
    from billing_saas.stripe_fake import FakeStripe

    data = Path(os.environ.get("DMS_DATA_DIR") or settings.BASE_DIR / ".data")
    data.mkdir(parents=True, exist_ok=True)
    webhook = f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}/billing/stripe/webhook/"
    try:
        fake = FakeStripe(webhook_secret=settings.STRIPE_WEBHOOK_SECRET, webhook=webhook, delivery="background",
                          port=settings.STRIPE_FAKE_PORT, state_file=data / "stripe_fake.json").start()
    except OSError as error:  # the port is taken (another `make run`): payments say Stripe cannot be reached
        server.log.warning("Stripe test mode: the local fake could not start on port %s: %s",
                           settings.STRIPE_FAKE_PORT, error)
        return
    server.log.info("Stripe test mode: a local fake of Stripe on %s, webhooks to %s", fake.url, webhook)


def _cnpay_fakes(server, settings):
    """The local fakes of WeChat Pay and Alipay (development only), and their credentials for the demo."""
    from tenant_apps.finance.payments.fakes import alipay_fake, wechatpay_fake

    data = Path(os.environ.get("DMS_DATA_DIR") or settings.BASE_DIR / ".data")
    data.mkdir(parents=True, exist_ok=True)
    for code, module, port in (("wechatpay", wechatpay_fake, settings.WECHATPAY_FAKE_PORT),
                               ("alipay", alipay_fake, settings.ALIPAY_FAKE_PORT)):
        try:
            url = module.start(port, keys_path=str(data / f"{code}_fake_keys.json"), delivery="background")
        except OSError as error:  # the port is taken (another `make run`): payments say the provider cannot answer
            server.log.warning("%s test mode: the local fake could not start on port %s: %s", code, port, error)
            continue
        credentials = module.running(url).credentials()
        credentials.pop("api_base", None)  # the platform's setting points every brand at the fake
        path = data / f"{code}_fake_credentials.json"
        path.write_text(json.dumps(credentials, indent=1, ensure_ascii=False))
        path.chmod(0o600)
        server.log.info("%s test mode: a local fake on %s; the credentials to connect with are in %s", code, url, path)
