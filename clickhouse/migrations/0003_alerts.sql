-- Alert state per (rule, group): the latest version wins, so the evaluator can rewrite a group's row
-- every cycle and a restart reads exactly what receivers were last told (alerts.md: no repeats).
CREATE TABLE IF NOT EXISTS alert_state{{local}} {{on_cluster}}
(
    rule_id       String,
    group_key     String,
    group_json    String,
    warehouse_id  Nullable(String),
    status        LowCardinality(String),
    metric        LowCardinality(String),
    severity      LowCardinality(String),
    value         Nullable(Float64),
    threshold     Float64,
    pending_since Nullable(DateTime64(3, 'UTC')),
    started_at    Nullable(DateTime64(3, 'UTC')),
    ended_at      Nullable(DateTime64(3, 'UTC')),
    notified      LowCardinality(String),
    notified_at   Nullable(DateTime64(3, 'UTC')),
    evaluated_at  DateTime64(3, 'UTC'),
    version       UInt64
)
ENGINE = {{engine:ReplacingMergeTree(version)}}
ORDER BY (rule_id, group_key);
-- @distributed alert_state cityHash64(rule_id, group_key)

-- Append-only log: state transitions (the history), notifications handed to a webhook (the outbox)
-- and their delivery outcomes. A `send` row without an outcome is redelivered after a restart.
CREATE TABLE IF NOT EXISTS alert_notifications{{local}} {{on_cluster}}
(
    at           DateTime64(3, 'UTC'),
    id           String,
    kind         LowCardinality(String),
    rule_id      String,
    group_key    String,
    warehouse_id Nullable(String),
    status       LowCardinality(String),
    webhook      String,
    attempts     UInt8,
    error        String,
    body         String
)
ENGINE = {{engine:MergeTree}}
PARTITION BY toYYYYMM(at)
ORDER BY (rule_id, group_key, at, id)
TTL toDateTime(at) + INTERVAL 90 DAY;
-- @distributed alert_notifications cityHash64(rule_id, group_key)

-- One silence per (rule, group); a newer one replaces it (an `until` in the past lifts it).
CREATE TABLE IF NOT EXISTS alert_silences{{local}} {{on_cluster}}
(
    rule_id      String,
    group_key    String,
    group_json   String,
    warehouse_id Nullable(String),
    until        DateTime64(3, 'UTC'),
    created_at   DateTime64(3, 'UTC'),
    created_by   String,
    version      UInt64
)
ENGINE = {{engine:ReplacingMergeTree(version)}}
ORDER BY (rule_id, group_key);
-- @distributed alert_silences cityHash64(rule_id, group_key)
