"""SQLite through aiosqlite, the embedded default: WAL, synchronous=FULL, one writer at a time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.privacy import Cipher
from bot.storage.store import Storage

# aiosqlite logs every statement with its parameters at DEBUG: they may hold a Telegram id.
logging.getLogger("aiosqlite").setLevel(logging.INFO)


class SQLiteStorage(Storage):
    engine = "sqlite"
    single_process = True

    def __init__(self, path: Path, cipher: Cipher) -> None:
        super().__init__(cipher)
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            await self._prepare()
        except BaseException:
            await self.close()
            raise

    async def _prepare(self) -> None:
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA busy_timeout=5000",
            "PRAGMA foreign_keys=ON",
            "PRAGMA secure_delete=ON",
        ):
            await self.db.execute(pragma)
        await self._migrate()

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("storage is not open")
        return self._db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:  # type: ignore[override]
        """One writing transaction at a time (BEGIN IMMEDIATE), committed or rolled back."""
        async with self._lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            else:
                await self.db.execute("COMMIT")

    async def _read(self, sql: str, params: Iterable[object] = ()) -> list[Any]:
        async with self._lock:
            cursor = await self.db.execute(sql, tuple(params))
            rows = await cursor.fetchall()
            await cursor.close()
            return list(rows)

    async def integrity_ok(self) -> bool:
        rows = await self._read("PRAGMA integrity_check")
        return bool(rows[0][0] == "ok")
