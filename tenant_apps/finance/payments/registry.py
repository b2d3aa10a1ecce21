"""Payment adapters by provider code. Each module has `build(credentials: dict) -> PaymentAdapter` and
`CREDENTIAL_FIELDS` (the names, labels and secrecy of what the brand enters to connect its account)."""

from __future__ import annotations

from importlib import import_module

ADAPTERS = {
    "stripe": "tenant_apps.finance.payments.stripe",
    "wechatpay": "tenant_apps.finance.payments.wechatpay",
    "alipay": "tenant_apps.finance.payments.alipay",
}


def adapter_module(code: str):
    if code not in ADAPTERS:
        raise KeyError(code)
    return import_module(ADAPTERS[code])


def adapter_for(code: str, credentials: dict):
    return adapter_module(code).build(credentials)
