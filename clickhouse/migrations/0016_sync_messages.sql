-- Sync messages in observed_at order (metrics.md §1, §10): the narrow columns every sync-lag answer reads from a
-- raw message, kept by a view. The rollups (0007, 0011) answer whole hours; the rest of a window — the partial
-- hours at both ends, and any hour the rollups have not caught up with — is read per message. In `events` that
-- read is key-ordered by (warehouse_id, type, occurred_at), so a granule of one warehouse's messages spans hours
-- and a few minutes at a window's edge read about a million rows at 10M events; here the same minutes are a
-- key range of a few granules.
--
-- A copy, not an aggregate: one row per message row of `events`. A replay (the startup repair) or a duplicate row
-- in `events` adds the same row again; readers keep one row per event_id (LIMIT 1 BY event_id), as they do on
-- `events`. lag_ms is computed exactly as the readers compute it from `events` (LAG_MS in lib/store/rollups.ts).
CREATE TABLE IF NOT EXISTS sync_messages{{local}} {{on_cluster}}
(
    observed_at   DateTime64(3, 'UTC'),
    warehouse_id  LowCardinality(String),
    source_system LowCardinality(String),
    target_system LowCardinality(String),
    interface     LowCardinality(Nullable(String)),
    status        LowCardinality(String),
    lag_ms        Int64,
    event_id      String
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(observed_at)
ORDER BY (observed_at, warehouse_id);
-- @distributed sync_messages cityHash64(event_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS sync_messages_mv{{local}} {{on_cluster}} TO sync_messages{{local}}
AS SELECT
    observed_at,
    toString(warehouse_id) AS warehouse_id,
    toString(source_system) AS source_system,
    toString(target_system) AS target_system,
    CAST(interface, 'Nullable(String)') AS interface,
    toString(status) AS status,
    toInt64(dateDiff('millisecond', occurred_at, observed_at)) AS lag_ms,
    event_id
FROM events{{local}}
WHERE type = 'sync.message';

-- Existing stores: backfill once from events (a no-op on a new store).
INSERT INTO sync_messages (observed_at, warehouse_id, source_system, target_system, interface, status, lag_ms, event_id)
SELECT observed_at, toString(warehouse_id), toString(source_system), toString(target_system), CAST(interface, 'Nullable(String)'),
    toString(status), toInt64(dateDiff('millisecond', occurred_at, observed_at)), event_id
FROM events
WHERE type = 'sync.message';
