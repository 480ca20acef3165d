-- Seen-id lookup: the ingest writer asks "which of these event_ids are stored?" on a table keyed
-- by event_id, so the answer costs a few granules whatever the size of events.
CREATE TABLE IF NOT EXISTS event_ids{{local}} {{on_cluster}}
(
    event_id    String,
    ingested_at DateTime64(3, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree}}
ORDER BY event_id;
-- @distributed event_ids cityHash64(event_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS event_ids_mv{{local}} {{on_cluster}} TO event_ids{{local}}
AS SELECT event_id, ingested_at FROM events{{local}};

-- Correlation → time range and warehouses, so a drill-down scans a bounded slice of events.
CREATE TABLE IF NOT EXISTS correlation_index{{local}} {{on_cluster}}
(
    correlation_id String,
    first_at       SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_at        SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    warehouses     SimpleAggregateFunction(groupUniqArrayArray, Array(String))
)
ENGINE = {{engine:AggregatingMergeTree}}
ORDER BY correlation_id;
-- @distributed correlation_index cityHash64(correlation_id)

CREATE MATERIALIZED VIEW IF NOT EXISTS correlation_index_mv{{local}} {{on_cluster}} TO correlation_index{{local}}
AS SELECT
    correlation_id,
    min(occurred_at) AS first_at,
    max(occurred_at) AS last_at,
    groupUniqArray(toString(warehouse_id)) AS warehouses
FROM events{{local}}
GROUP BY correlation_id;

-- Every rejected line, with its raw text (capped) and the reason naming the field.
CREATE TABLE IF NOT EXISTS rejected_events{{local}} {{on_cluster}}
(
    ingested_at   DateTime64(3, 'UTC'),
    batch_id      String,
    line          UInt32,
    event_id      Nullable(String),
    source_system LowCardinality(String),
    type          LowCardinality(String),
    reason_key    LowCardinality(String),
    reason        String,
    raw           String,
    raw_truncated Bool
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(ingested_at)
ORDER BY (ingested_at, batch_id, line);
-- @distributed rejected_events rand()

-- Per-batch ingest counters (duplicates are never stored as events, so they are counted here).
CREATE TABLE IF NOT EXISTS ingest_stats{{local}} {{on_cluster}}
(
    ts            DateTime64(3, 'UTC'),
    source_system LowCardinality(String),
    type          LowCardinality(String),
    accepted      UInt64,
    duplicates    UInt64
)
ENGINE = {{engine:SummingMergeTree}}
PARTITION BY toYYYYMM(ts)
ORDER BY (source_system, type, ts);
-- @distributed ingest_stats rand()
