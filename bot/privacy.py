"""Pseudonyms and encryption at rest (no aiogram here).

* A user is known internally only by `pseudonym(user_id)`: HMAC-SHA256 of the Telegram id with
  the server's SECRET_KEY. Without the key the pseudonym cannot be turned back into an id.
* Texts (questions, answers, the chat id needed for delivery, raw updates waiting in the inbox)
  are encrypted with Fernet (AES-128-CBC + HMAC, authenticated). MultiFernet accepts several
  keys, newest first, so keys can be rotated without losing old data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Cipher", "InvalidToken", "derive_fernet_key", "pseudonym"]


def pseudonym(secret: str, user_id: int) -> str:
    digest = hmac.new(secret.encode(), f"tg-user:{user_id}".encode(), hashlib.sha256)
    return digest.hexdigest()


def derive_fernet_key(secret: str) -> bytes:
    """A Fernet key derived from SECRET_KEY (used when ENCRYPTION_KEYS is not set)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"helpline-bot", info=b"fernet-v1")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


class Cipher:
    def __init__(self, keys: Sequence[bytes | str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def encrypt(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        return self._fernet.decrypt(token).decode("utf-8")

    def rotate(self, token: bytes) -> bytes:
        return self._fernet.rotate(token)
