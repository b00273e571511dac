"""All SQL lives in this package. `create_storage()` picks the engine from DATABASE_URL:
embedded SQLite by default, PostgreSQL for several replicas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.privacy import Cipher
from bot.storage.store import Storage

if TYPE_CHECKING:
    from bot.config import Settings

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def create_storage(settings: Settings, cipher: Cipher | None = None) -> Storage:
    """A storage for the configured database (not yet opened)."""
    cipher = cipher or Cipher(settings.fernet_keys())
    if settings.database_url.startswith(POSTGRES_SCHEMES):
        from bot.storage.postgres import PostgresStorage

        return PostgresStorage(settings.database_url, cipher)
    from bot.storage.sqlite import SQLiteStorage

    return SQLiteStorage(settings.sqlite_path, cipher)


__all__ = ["Storage", "create_storage"]
