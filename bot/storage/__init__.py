"""All SQL lives in this package, behind `Storage` (SQLite now; PostgreSQL later)."""

from bot.storage.sqlite import SQLiteStorage, open_storage

Storage = SQLiteStorage

__all__ = ["SQLiteStorage", "Storage", "open_storage"]
