"""All SQL lives in this package, behind `SQLiteStorage` (SQLite now; PostgreSQL later)."""

from bot.storage.sqlite import SQLiteStorage

__all__ = ["SQLiteStorage"]
