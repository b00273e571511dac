"""`python -m tests.pg_check URL`: exit 0 if a PostgreSQL server answers at URL, else say why."""

from __future__ import annotations

import asyncio
import sys


async def reachable(url: str) -> str | None:
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(url), 5)
    except Exception as exc:  # any failure means: not usable for the tests
        return type(exc).__name__
    await conn.close()
    return None


if __name__ == "__main__":
    problem = asyncio.run(reachable(sys.argv[1]))
    if problem:
        print(problem)
    sys.exit(1 if problem else 0)
