"""One run at a time per brand and kind of work, across every run and process.

A backfill hands one run ten brands; the analyzed-brand sensor, a UI materialization or a
request can start another run over one of them at the same moment. The results would still be
right (the analysis state table decides what is done), but the AI calls and downloads would be
paid twice. So each piece of work holds a Postgres advisory lock per brand — keyed by the work's
name and the brand id — for as long as it runs: a second run waits, then finds the brand done
and does nothing. The locks are transaction-scoped, so a crash, a killed run or a lost
connection releases them; several brands are taken in id order, so two runs never wait on each
other in a cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from adology.logs import get_logger

log = get_logger(__name__)


def _take(conn: Any, work: str, brand_ids: list[int]) -> None:
    for brand_id in brand_ids:
        (free,) = conn.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s), %s)", (work, brand_id)).fetchone()
        if not free:
            log.info("waiting for another run to finish this brand", extra={"work": work, "brand_id": brand_id})
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", (work, brand_id))
            log.info("brand free; going on", extra={"work": work, "brand_id": brand_id})


@contextlib.asynccontextmanager
async def holding_brands(connect: Callable[[], Any], work: str, brand_ids: Iterable[int]) -> AsyncIterator[None]:
    """Hold ``work``'s lock on every brand of ``brand_ids`` for the block, waiting (off the event
    loop) while another run holds one. One pooled connection stays checked out, idle in a
    transaction that only holds the locks, until the block ends."""
    ordered = sorted(set(brand_ids))
    if not ordered:
        yield
        return
    session = connect()
    conn = await asyncio.to_thread(session.__enter__)
    try:
        await asyncio.to_thread(_take, conn, work, ordered)
        yield
    except BaseException as error:
        # rolls the lock-only transaction back: the locks go with it
        await asyncio.to_thread(session.__exit__, type(error), error, error.__traceback__)
        raise
    else:
        await asyncio.to_thread(session.__exit__, None, None, None)
