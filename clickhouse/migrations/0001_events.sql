-- Canonical events, one row per accepted event_id (events.md).
-- Ordered for the KPI scans: warehouse, then type, then business time.
-- ReplacingMergeTree on a key that ends in event_id is a second line of defence: the ingest
-- writer already drops every event_id it has stored (see event_ids), and any exact retry that
-- slipped past it collapses at merge time.
CREATE TABLE IF NOT EXISTS {{db}}events{{local}} {{on_cluster}}
(
    event_id       String,
    type           LowCardinality(String),
    occurred_at    DateTime64(3, 'UTC'),
    observed_at    DateTime64(3, 'UTC'),
    ingested_at    DateTime64(3, 'UTC'),
    source_system  LowCardinality(String),
    target_system  LowCardinality(String),
    warehouse_id   LowCardinality(String),
    correlation_id String,
    workflow       LowCardinality(String),
    document_ref   Nullable(String),
    attributes     String,
    status         LowCardinality(String),
    interface      LowCardinality(Nullable(String)),
    exception_id   String,
    category       LowCardinality(String),
    severity       LowCardinality(String),
    owner          Nullable(String),
    amount         Nullable(Decimal(38, 6)),
    currency       LowCardinality(String),
    sku            String,
    quantity       Nullable(Decimal(38, 6)),
    unit_cost      Nullable(Decimal(38, 6)),
    INDEX idx_corr correlation_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_exc exception_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_doc document_ref TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_observed observed_at TYPE minmax GRANULARITY 1,
    INDEX idx_ingested ingested_at TYPE minmax GRANULARITY 1
)
ENGINE = {{engine:ReplacingMergeTree}}
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (warehouse_id, type, occurred_at, event_id)
SETTINGS index_granularity = 8192;
-- @distributed events cityHash64(correlation_id)
