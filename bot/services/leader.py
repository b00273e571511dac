"""Jobs that must run once across replicas (outbox, reminders, purge, inbox take-over) run
only on the replica holding the "jobs" lease in the database. The holder renews it every few
seconds; when a replica dies, another takes the lease over once it has run out.

With SQLite there is one process, so it always leads."""

from __future__ import annotations

import asyncio
import logging
import socket

from bot.storage.store import Storage

log = logging.getLogger("bot.leader")
LEASE_NAME = "jobs"


def replica_name(port: int | None) -> str:
    """Stable across restarts of the same replica (so it gets its lease back at once)."""
    host = socket.gethostname()
    return f"{host}:{port}" if port else host


class Leader:
    def __init__(self, storage: Storage, holder: str, *, lease_seconds: float = 15.0) -> None:
        self.storage = storage
        self.holder = holder
        self.lease_seconds = lease_seconds
        self.always = storage.single_process
        self._leading = self.always

    @property
    def leading(self) -> bool:
        return self._leading

    async def renew(self) -> bool:
        if self.always:
            return True
        try:
            now_leading = await self.storage.take_lease(LEASE_NAME, self.holder,
                                                        self.lease_seconds)
        except Exception as exc:  # the database is away: stop leading until it is back
            log.error("lease_failed", extra={"error": type(exc).__name__})
            now_leading = False
        if now_leading != self._leading:
            log.info("leading" if now_leading else "following", extra={"mode": self.holder})
        self._leading = now_leading
        return now_leading

    async def run(self) -> None:
        while True:
            await self.renew()
            await asyncio.sleep(self.lease_seconds / 3)

    async def resign(self) -> None:
        if not self.always and self._leading:
            self._leading = False
            try:
                await self.storage.release_lease(LEASE_NAME, self.holder)
            except Exception as exc:
                log.error("lease_release_failed", extra={"error": type(exc).__name__})
