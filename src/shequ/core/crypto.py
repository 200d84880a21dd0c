"""Field encryption (AES-256-GCM) and blind indexes (HMAC-SHA256) for personal data.

Ciphertext format: ``v1:`` + urlsafe base64 of (12-byte nonce || ciphertext || tag).
The blind index is a keyed hash of the normalised value, so an exact lookup needs no
plaintext in the database.  Keys come from ``settings.FIELD_ENCRYPTION_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

PREFIX = "v1:"


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[bytes, bytes]:
    raw = base64.b64decode(master)
    if len(raw) != 32:
        raise ValueError("SHEQU_FIELD_KEY must be the base64 encoding of 32 bytes")
    enc = hmac.new(raw, b"shequ-field-encryption", hashlib.sha256).digest()
    idx = hmac.new(raw, b"shequ-blind-index", hashlib.sha256).digest()
    return enc, idx


@lru_cache(maxsize=4)
def _cipher(master: str) -> AESGCM:
    return AESGCM(_keys(master)[0])


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    data = _cipher(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + data).decode()


def encrypt_many(plaintexts: list[str]) -> list[str]:
    """``encrypt`` of each value (a fresh nonce each), with the cipher and the random bytes fetched once."""
    cipher = _cipher(settings.FIELD_ENCRYPTION_KEY)
    seal, encode = cipher.encrypt, base64.urlsafe_b64encode
    nonces = os.urandom(12 * len(plaintexts))
    return [
        PREFIX + encode((nonce := nonces[12 * i : 12 * i + 12]) + seal(nonce, text.encode(), None)).decode()
        for i, text in enumerate(plaintexts)
    ]


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
    return _cipher(settings.FIELD_ENCRYPTION_KEY).decrypt(raw[:12], raw[12:], None).decode()


def blind_index(value: str) -> str:
    """Deterministic keyed hash of a normalised value, hex, 64 characters."""
    _, idx_key = _keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.digest(idx_key, value.strip().upper().encode(), "sha256").hex()


def blind_indexes(values: list[str]) -> list[str]:
    """``blind_index`` of each value, with the key fetched once."""
    _, idx_key = _keys(settings.FIELD_ENCRYPTION_KEY)
    digest = hmac.digest
    return [digest(idx_key, value.strip().upper().encode(), "sha256").hex() for value in values]


def derive_key(label: str) -> bytes:
    """A 32-byte key for one purpose (e.g. ``"shequ-file-encryption"``), derived from the field key
    the same way as the field and blind-index keys."""
    return _derived(settings.FIELD_ENCRYPTION_KEY, label)


@lru_cache(maxsize=8)
def _derived(master: str, label: str) -> bytes:
    raw = base64.b64decode(master)
    if len(raw) != 32:
        raise ValueError("SHEQU_FIELD_KEY must be the base64 encoding of 32 bytes")
    return hmac.new(raw, label.encode(), hashlib.sha256).digest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; reads give back the plaintext."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
