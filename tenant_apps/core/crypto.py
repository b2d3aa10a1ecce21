"""AES-GCM encryption of sensitive fields (bank accounts, licence numbers), key from the environment.

Stored form: "v1:" + urlsafe base64 of nonce (12 bytes) + ciphertext-and-tag. The key is
FIELD_ENCRYPTION_KEY (32 bytes, urlsafe base64); the version prefix leaves room for key rotation.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1:"


@lru_cache(maxsize=4)
def _cipher(key: str) -> AESGCM:
    return AESGCM(base64.urlsafe_b64decode(key))


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plaintext.encode(), PREFIX.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.urlsafe_b64decode(stored[len(PREFIX):])
    return _cipher(settings.FIELD_ENCRYPTION_KEY).decrypt(raw[:12], raw[12:], PREFIX.encode()).decode()
