"""gunicorn's hooks for `make serve` / `make run` (the command line gives the rest).

In development without STRIPE_SECRET_KEY (settings.STRIPE_FAKE), the local fake of Stripe (billing_saas.stripe_fake)
runs in gunicorn's master process: one for every worker, outliving their restarts, its state kept in the data folder
(.data/stripe_fake.json). Its webhooks go to our endpoint on PLATFORM_DOMAIN from a thread, after the request that
caused them (a worker is free to answer them). Production sets a key and nothing starts here.
"""

import os
from pathlib import Path


def when_ready(server):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms.settings")
    from django.conf import settings

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
