-- Per-warehouse activity: which warehouses have any event (metrics.md's `warehouses[]`) without
-- scanning every event. min/max states are idempotent, so the startup repair may replay into it.
CREATE TABLE IF NOT EXISTS warehouse_activity{{local}} {{on_cluster}}
(
    warehouse_id   String,
    first_at       SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_at        SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    last_ingested  SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = {{engine:AggregatingMergeTree}}
ORDER BY warehouse_id;
-- @distributed warehouse_activity cityHash64(warehouse_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS warehouse_activity_mv{{local}} {{on_cluster}} TO warehouse_activity{{local}}
AS SELECT
    toString(warehouse_id) AS warehouse_id,
    min(occurred_at) AS first_at,
    max(occurred_at) AS last_at,
    max(ingested_at) AS last_ingested
FROM events{{local}}
GROUP BY warehouse_id;

-- Existing stores: backfill once from events (a no-op on a new store). Plain names: on a cluster
-- this reads every shard and writes through the Distributed table.
INSERT INTO warehouse_activity (warehouse_id, first_at, last_at, last_ingested)
SELECT toString(warehouse_id), min(occurred_at), max(occurred_at), max(ingested_at)
FROM events
GROUP BY warehouse_id;
