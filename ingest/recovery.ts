import { command, p, sql } from '@/lib/store';
import { FLOW_BUSINESS_ROWS, FLOW_COLUMNS, flowAggregates } from '@/lib/store/flow-rollup';
import { EXCEPTION_STATE_AGGREGATES, EXCEPTION_STATE_COLUMNS, EXCEPTION_STATE_ROWS, FIRST_SHIPMENT } from '@/lib/store/rollups';
import { withSpan } from '@/lib/telemetry/span';

/**
 * A process killed between writing an `events` part and the parts of its materialized views can
 * leave `event_ids` (the dedup lookup) or `correlation_index` short of the newest events. Before the
 * server accepts traffic, the recent tail of `events` is replayed into the lookups, so a client
 * resending an unacknowledged batch is deduplicated exactly. Every repair is idempotent.
 */
const TAIL_MS = 60 * 60 * 1000;

export async function repairLookups(nowMs = Date.now()): Promise<void> {
  await withSpan('ingest.recovery', {}, async () => {
    const since = p.time(nowMs - TAIL_MS);
    // Everything ingested after the newest recorded id (minus a margin) is re-checked; on a clean
    // shutdown this finds nothing to add.
    await command(sql`
      INSERT INTO event_ids (event_id, ingested_at)
      SELECT event_id, ingested_at FROM events
      WHERE ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE)
        AND event_id NOT IN (
          SELECT event_id FROM event_ids
          WHERE ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE))`);
    // The sync-lag rollup trusts sync_hour_activity to grow with every insert; an insert whose view part
    // was lost leaves it short. Counting the recent tail again can only make hours look stale (they are
    // then rebuilt from raw events), never current.
    await command(sql`
      INSERT INTO sync_hour_activity (warehouse_id, hour, rows)
      SELECT toString(warehouse_id), toStartOfHour(observed_at), count()
      FROM events
      WHERE type = 'sync.message'
        AND ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE)
      GROUP BY warehouse_id, toStartOfHour(observed_at)`);
    // Likewise pipeline_hour_activity (0008): counting the tail again can only make an ingest hour read
    // raw or be recomputed, never make the pipeline's own counters look complete.
    await command(sql`
      INSERT INTO pipeline_hour_activity (hour, rows)
      SELECT toStartOfHour(ingested_at), count()
      FROM events
      WHERE ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE)
      GROUP BY toStartOfHour(ingested_at)`);
    // min/max/argMin/groupUniqArray states are idempotent: re-adding rows cannot change the index or the rollups.
    await command(sql`
      INSERT INTO correlation_index (correlation_id, first_at, last_at, warehouses)
      SELECT correlation_id, min(occurred_at), max(occurred_at), groupUniqArray(toString(warehouse_id))
      FROM events
      WHERE ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE)
      GROUP BY correlation_id`);
    await command(sql`
      INSERT INTO warehouse_activity (warehouse_id, first_at, last_at, last_ingested)
      SELECT toString(warehouse_id), min(occurred_at), max(occurred_at), max(ingested_at)
      FROM events
      WHERE ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE)
      GROUP BY warehouse_id`);
    await command(sql`
      INSERT INTO inventory_latest (warehouse_id, sku, source_system, latest, latest_at)
      SELECT toString(warehouse_id), sku, toString(source_system),
        argMaxState(tuple(quantity, unit_cost, occurred_at), tuple(occurred_at, event_id)), max(occurred_at)
      FROM events
      WHERE ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE)
        AND type = 'inventory.snapshot' AND source_system IN ('ERP', 'WMS')
      GROUP BY warehouse_id, sku, source_system`);
    await command(sql`
      INSERT INTO invoice_postings (correlation_id, shipped_at, first_shipment, invoiced_at)
      SELECT correlation_id,
        minIf(toNullable(occurred_at), type = 'shipment.confirmed'),
        minIf(toNullable(${FIRST_SHIPMENT}), type = 'shipment.confirmed'),
        minIf(toNullable(occurred_at), type = 'invoice.posted')
      FROM events
      WHERE ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE)
        AND type IN ('shipment.confirmed', 'invoice.posted')
      GROUP BY correlation_id`);
    await command(sql`
      INSERT INTO exception_state (${EXCEPTION_STATE_COLUMNS})
      SELECT ${EXCEPTION_STATE_AGGREGATES}
      FROM events
      WHERE ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE)
        AND ${EXCEPTION_STATE_ROWS}
      GROUP BY exception_id`);
    await command(sql`
      INSERT INTO flow_transactions (${FLOW_COLUMNS})
      SELECT ${flowAggregates()}
      FROM events
      WHERE ingested_at >= least(${since}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE)
        AND ${FLOW_BUSINESS_ROWS}
      GROUP BY correlation_id, warehouse_id`);
  });
}
