"""Which database the suite runs on, and backend-neutral ways for tests to look inside it.

`make test` runs the suite on SQLite, then again with TEST_DATABASE_URL pointing at
PostgreSQL when a server answers there. On PostgreSQL every test gets its own schema (through
`search_path` in the URL), dropped at the end of the run.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.storage import POSTGRES_SCHEMES
from bot.storage.postgres import pg_query

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
ON_POSTGRES = TEST_DATABASE_URL.startswith(POSTGRES_SCHEMES)
BACKEND = "postgresql" if ON_POSTGRES else "sqlite"

T = TypeVar("T")
_created: list[str] = []


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "search_path"]
    query.append(("search_path", schema))
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _admin(statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def database_url(tmp_path: Path, name: str = "bot") -> str:
    """A fresh, empty database for one test."""
    if not ON_POSTGRES:
        return f"sqlite:///{tmp_path / (name + '.sqlite3')}"
    schema = "t_" + hashlib.sha1(str(tmp_path / name).encode()).hexdigest()[:20]
    if schema not in _created:  # asked again in the same test (a restart): the same database
        run_sync(_admin(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        _created.append(schema)
    return with_schema(TEST_DATABASE_URL, schema)


def drop_created_schemas() -> None:
    async def drop_all() -> None:
        for schema in _created:  # one transaction each: a schema holds dozens of locks
            await _admin(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    if _created:
        run_sync(drop_all())
        _created.clear()


def sql(url: str, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement (with `?` parameters) against the test's database; rows as tuples."""
    if url.startswith(POSTGRES_SCHEMES):
        return run_sync(_pg(url, query, params))
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        rows = conn.execute(query, tuple(params)).fetchall()
        conn.commit()
        return rows


async def asql(url: str, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """`sql()` without blocking the event loop: for writes while the bot runs in this loop
    (SQLite would wait for the bot's transaction, which waits for the loop)."""
    return await asyncio.to_thread(sql, url, query, params)


async def _pg(url: str, query: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        text, returns = pg_query(query)
        if returns:
            return [tuple(r) for r in await conn.fetch(text, *params)]
        await conn.execute(text, *params)
        return []
    finally:
        await conn.close()


def raw_contents(url: str) -> bytes:
    """Everything the database holds, as bytes: SQLite's files (with WAL and shm), or every
    row of every table of the test's PostgreSQL schema as text."""
    if url.startswith(POSTGRES_SCHEMES):
        tables = [r[0] for r in sql(url, "SELECT table_name FROM information_schema.tables"
                                    " WHERE table_schema = current_schema()")]
        return "\n".join(str(row) for table in tables
                         for row in sql(url, f"SELECT * FROM {table}")).encode()
    path = url.removeprefix("sqlite:///")
    return b"".join(Path(path + suffix).read_bytes() for suffix in ("", "-wal", "-shm")
                    if Path(path + suffix).exists())
