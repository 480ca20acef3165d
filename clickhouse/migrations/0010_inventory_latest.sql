-- Inventory drift (metrics.md §4, and the close readiness and alert metrics built on it): the latest ERP and
-- WMS inventory.snapshot per (warehouse, sku, system), so a drift read groups one row per key instead of
-- every nightly snapshot ever taken.
-- argMax by (occurred_at, event_id) is the metric's own "latest, ties by the greater event_id", and it is
-- idempotent: replaying rows (the startup repair does) or a duplicate row in `events` cannot change it.
-- It answers "latest at or before as_of" only while no snapshot of the key is later than as_of; the reader
-- (lib/kpi/drift.ts) uses it when `latest_at` of every key in scope is at or before as_of, else raw events.
CREATE TABLE IF NOT EXISTS inventory_latest{{local}} {{on_cluster}}
(
    warehouse_id  String,
    sku           String,
    source_system String,
    latest        AggregateFunction(argMax, Tuple(Nullable(Decimal(38, 6)), Nullable(Decimal(38, 6)), DateTime64(3, 'UTC')), Tuple(DateTime64(3, 'UTC'), String)),
    latest_at     SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = {{engine:AggregatingMergeTree}}
ORDER BY (warehouse_id, sku, source_system);
-- @distributed inventory_latest cityHash64(warehouse_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS inventory_latest_mv{{local}} {{on_cluster}} TO inventory_latest{{local}}
AS SELECT
    toString(warehouse_id) AS warehouse_id,
    sku,
    toString(source_system) AS source_system,
    argMaxState(tuple(quantity, unit_cost, occurred_at), tuple(occurred_at, event_id)) AS latest,
    max(occurred_at) AS latest_at
FROM events{{local}}
WHERE type = 'inventory.snapshot' AND source_system IN ('ERP', 'WMS')
GROUP BY warehouse_id, sku, source_system;

-- Existing stores: backfill once from events (a no-op on a new store).
INSERT INTO inventory_latest (warehouse_id, sku, source_system, latest, latest_at)
SELECT toString(warehouse_id), sku, toString(source_system),
    argMaxState(tuple(quantity, unit_cost, occurred_at), tuple(occurred_at, event_id)), max(occurred_at)
FROM events
WHERE type = 'inventory.snapshot' AND source_system IN ('ERP', 'WMS')
GROUP BY warehouse_id, sku, source_system;
