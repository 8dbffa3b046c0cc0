"""Concurrency pool limits, set once when Dagster starts rather than lazily by the first runs.

A pool that has no row yet is created by the first step that claims it. Two runs starting at
once both insert it, and on Postgres the loser's transaction is aborted by the unique violation
before Dagster's fallback update, so its run fails (dagster-io/dagster#33552). An explicit limit
is never initialized by a run. Its value still comes from ``concurrency.pools.default_limit`` in
``dagster.yaml``, so that file stays the one place the limit is configured.

``python -m adology_assets.pools`` applies the limits to the instance in ``DAGSTER_HOME``, as a
deployment does before starting the daemon; ``adology dev`` (and so the demo and the benchmark)
calls :func:`ensure_pool_limits` before starting Dagster.

A limit bounds the slots taken, not who holds them: the slots of a run whose worker was killed
mid-step stay taken until run monitoring frees them once the run has ended
(``free_slots_after_run_end_seconds`` in ``dagster.yaml``; :mod:`adology_assets.run_workers` ends
such a run locally).
"""

import dagster as dg

from adology.logs import configure_logging, get_logger
from adology_assets.vocabulary import POOLS

log = get_logger(__name__)


def ensure_pool_limits(instance: dg.DagsterInstance) -> dict[str, int]:
    """Give every pool the assets use an explicit limit equal to the instance's default pool limit.

    Returns the limits set; a pool already at its limit is left alone.
    """
    limit = instance.global_op_concurrency_default_limit
    if limit is None:
        raise dg.DagsterInvariantViolationError(
            "dagster.yaml sets no concurrency.pools.default_limit: the ai pool would be unbounded"
        )
    storage = instance.event_log_storage
    current = {pool.name: pool for pool in storage.get_pool_limits()}
    changed = {}
    for pool in POOLS:
        existing = current.get(pool)
        if existing is None or existing.from_default or existing.limit != limit:
            storage.set_concurrency_slots(pool, limit)
            changed[pool] = limit
    return changed


if __name__ == "__main__":
    configure_logging()
    with dg.DagsterInstance.get() as dagster_instance:
        log.info("pool limits", extra={"set": ensure_pool_limits(dagster_instance) or "unchanged"})
