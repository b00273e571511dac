"""Conversation state (aiogram's FSM) and the flood limit, shared by replicas through Redis when
REDIS_URL is set, or kept in this process's memory otherwise.

Redis keys never hold a Telegram id: chat and user ids are replaced by their pseudonyms."""

from __future__ import annotations

import time
from typing import Literal

from aiogram.fsm.storage.base import BaseStorage, KeyBuilder, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.middlewares.throttle import FloodLimiter
from bot.privacy import pseudonym

PREFIX = "helpline"
STATE_TTL = 7 * 24 * 3600  # a half-finished conversation is forgotten after a week

# One atomic step of a sliding window: drop old hits, then count this one if there is room;
# otherwise say whether to warn (once per window). Returns 1 allowed, 2 warn, 0 silent.
_FLOOD_SCRIPT = """
local hits, warned = KEYS[1], KEYS[2]
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', hits, 0, now - window)
if redis.call('ZCARD', hits) < limit then
  redis.call('ZADD', hits, now, ARGV[4])
  redis.call('PEXPIRE', hits, window)
  redis.call('DEL', warned)
  return 1
end
if redis.call('SET', warned, '1', 'NX', 'PX', window) then return 2 end
return 0
"""


class PseudonymKeyBuilder(KeyBuilder):
    def __init__(self, secret: str, prefix: str = PREFIX) -> None:
        self.secret = secret
        self.prefix = prefix

    def build(self, key: StorageKey,
              part: Literal["data", "state", "lock"] | None = None) -> str:
        parts = [self.prefix, "fsm", str(key.bot_id), pseudonym(self.secret, key.chat_id)[:32],
                 pseudonym(self.secret, key.user_id)[:32], key.destiny]
        if key.thread_id:
            parts.append(str(key.thread_id))
        if part:
            parts.append(part)
        return ":".join(parts)


class MemoryFlood:
    def __init__(self, limit: int, window: float) -> None:
        self.limiter = FloodLimiter(limit, window)

    async def check(self, key: str) -> tuple[bool, bool]:
        return self.limiter.hit(key)

    async def close(self) -> None:
        return None


class RedisFlood:
    """The same sliding window as FloodLimiter, in Redis, so replicas count together."""

    def __init__(self, redis: Redis, limit: int, window: float, prefix: str = PREFIX) -> None:
        self.redis = redis
        self.limit = limit
        self.window_ms = int(window * 1000)
        self.prefix = prefix
        self._script = redis.register_script(_FLOOD_SCRIPT)
        self._counter = 0

    async def check(self, key: str) -> tuple[bool, bool]:
        now = int(time.time() * 1000)
        self._counter += 1
        member = f"{now}-{id(self)}-{self._counter}"
        result = int(await self._script(
            keys=[f"{self.prefix}:flood:{key}", f"{self.prefix}:flood-warned:{key}"],
            args=[now, self.window_ms, self.limit, member],
        ))
        return result == 1, result == 2

    async def close(self) -> None:
        await self.redis.aclose()


def build_fsm_storage(redis_url: str, secret: str) -> BaseStorage:
    if not redis_url:
        return MemoryStorage()
    return RedisStorage(Redis.from_url(redis_url), key_builder=PseudonymKeyBuilder(secret),
                        state_ttl=STATE_TTL, data_ttl=STATE_TTL)


def build_flood_limiter(redis_url: str, limit: int, window: float) -> MemoryFlood | RedisFlood:
    if not redis_url:
        return MemoryFlood(limit, window)
    return RedisFlood(Redis.from_url(redis_url), limit, window)
