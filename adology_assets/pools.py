"""Concurrency pool limits, set once when Dagster starts rather than lazily by the first runs.

The run queue counts runs against a pool's limit (``granularity: run`` in ``dagster.yaml``) only
for a pool the instance has a row for, and under that granularity no step ever creates one: without
this module every run would go through. (Left to steps, under ``granularity: op``, two runs creating
the row at once fail one of them on Postgres: dagster-io/dagster#33552.) The value still comes from
``concurrency.pools.default_limit`` in ``dagster.yaml``, so that file stays the one place the limit
is configured.

``python -m adology_assets.pools`` applies the limits to the instance in ``DAGSTER_HOME``, as a
deployment does before starting the daemon; ``adology dev`` (and so the demo and the benchmark)
calls :func:`ensure_pool_limits` before starting Dagster. A run whose worker was killed counts
against the limit until it is ended (:mod:`adology_assets.run_workers` ends such a run locally).
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
