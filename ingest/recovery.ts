import { z } from 'zod';
import { command, p, query, sql } from '@/lib/store';
import { STOCK_MOVEMENT_COLUMNS, STOCK_MOVEMENT_ROWS, STOCK_MOVEMENT_VALUES, SYNC_LATEST_AGGREGATES, SYNC_LATEST_COLUMNS, SYNC_LATEST_KEY } from '@/lib/store/drift-rollups';
import { FLOW_BUSINESS_ROWS, FLOW_COLUMNS, flowAggregates } from '@/lib/store/flow-rollup';
import { EXCEPTION_STATE_AGGREGATES, EXCEPTION_STATE_COLUMNS, EXCEPTION_STATE_ROWS, FIRST_SHIPMENT, SYNC_MESSAGE_COLUMNS, SYNC_MESSAGE_VALUES } from '@/lib/store/rollups';
import { withSpan } from '@/lib/telemetry/span';

/**
 * A process killed between writing an `events` part and the parts of its materialized views can
 * leave `event_ids` (the dedup lookup) or `correlation_index` short of the newest events. Before the
 * server accepts traffic, the recent tail of `events` is replayed into the lookups, so a client
 * resending an unacknowledged batch is deduplicated exactly. Every repair is idempotent.
 */
const TAIL_MS = 60 * 60 * 1000;

/**
 * The tail is repaired in slices of about this many rows (whole ingest minutes), so that a restart right
 * after a large backfill — ten million events ingested within the hour — stays inside the per-statement
 * memory and time guards instead of failing the start (one statement over the whole tail did, at 10M).
 */
const SLICE_ROWS = 1_000_000;
const MINUTE_MS = 60_000;

interface Slice {
  lo: number;
  /** null: open-ended (the last slice also takes anything ingested after the slices were planned). */
  hi: number | null;
}

const minuteRow = z.object({ start_ms: z.number(), minute: z.number(), rows: z.number() });

/**
 * Everything ingested after the newest recorded id (minus a margin), and at least the last hour, is
 * re-checked; on a clean shutdown this finds nothing to add. Planned as slices of whole minutes; an
 * empty tail is no slice at all, so an idle restart runs no repair statement.
 */
export async function tailSlices(nowMs: number, sliceRows: number): Promise<Slice[]> {
  // One statement plans the tail: its start and its rows per ingest minute (none: nothing to repair).
  const minutes = await query(
    sql`WITH least(${p.time(nowMs - TAIL_MS)}, (SELECT max(ingested_at) FROM event_ids) - INTERVAL 10 MINUTE) AS start
        SELECT toUnixTimestamp64Milli(start) AS start_ms, intDiv(toUnixTimestamp64Milli(ingested_at), ${p.i64(MINUTE_MS)}) AS minute, count() AS rows
        FROM events WHERE ingested_at >= start GROUP BY minute ORDER BY minute`,
    minuteRow,
    { name: 'recovery.tail_minutes' },
  );
  if (minutes.length === 0) return [];
  const lo = minutes[0]!.start_ms;
  const slices: Slice[] = [];
  let from = lo;
  let rows = 0;
  for (const m of minutes) {
    const edge = m.minute * MINUTE_MS;
    if (rows > 0 && rows + m.rows > sliceRows && edge > from) {
      slices.push({ lo: from, hi: edge });
      from = edge;
      rows = 0;
    }
    rows += m.rows;
  }
  slices.push({ lo: from, hi: null });
  return slices;
}

export async function repairLookups(nowMs = Date.now(), sliceRows = SLICE_ROWS): Promise<void> {
  await withSpan('ingest.recovery', {}, async (span) => {
    const slices = await tailSlices(nowMs, sliceRows);
    span.setAttribute('recovery.slices', slices.length);
    for (const slice of slices) await repairSlice(slice);
  });
}

/** One slice of the tail: every repair below, restricted to the rows ingested in [lo, hi). */
async function repairSlice({ lo, hi }: Slice): Promise<void> {
  const inSlice = hi === null ? sql`ingested_at >= ${p.time(lo)}` : sql`ingested_at >= ${p.time(lo)} AND ingested_at < ${p.time(hi)}`;
  await command(sql`
    INSERT INTO event_ids (event_id, ingested_at)
    SELECT event_id, ingested_at FROM events
    WHERE ${inSlice}
      AND event_id NOT IN (
        SELECT event_id FROM event_ids
        WHERE ${inSlice})`);
  // The sync-lag rollup trusts sync_hour_activity to grow with every insert; an insert whose view part
  // was lost leaves it short. Counting the recent tail again can only make hours look stale (they are
  // then rebuilt from raw events), never current.
  await command(sql`
    INSERT INTO sync_hour_activity (warehouse_id, hour, rows)
    SELECT toString(warehouse_id), toStartOfHour(observed_at), count()
    FROM events
    WHERE type = 'sync.message'
      AND ${inSlice}
    GROUP BY warehouse_id, toStartOfHour(observed_at)`);
  // Likewise pipeline_hour_activity (0008): counting the tail again can only make an ingest hour read
  // raw or be recomputed, never make the pipeline's own counters look complete.
  await command(sql`
    INSERT INTO pipeline_hour_activity (hour, rows)
    SELECT toStartOfHour(ingested_at), count()
    FROM events
    WHERE ${inSlice}
    GROUP BY toStartOfHour(ingested_at)`);
  // min/max/argMin/groupUniqArray states are idempotent: re-adding rows cannot change the index or the rollups.
  await command(sql`
    INSERT INTO correlation_index (correlation_id, first_at, last_at, warehouses)
    SELECT correlation_id, min(occurred_at), max(occurred_at), groupUniqArray(toString(warehouse_id))
    FROM events
    WHERE ${inSlice}
    GROUP BY correlation_id`);
  await command(sql`
    INSERT INTO warehouse_activity (warehouse_id, first_at, last_at, last_ingested)
    SELECT toString(warehouse_id), min(occurred_at), max(occurred_at), max(ingested_at)
    FROM events
    WHERE ${inSlice}
    GROUP BY warehouse_id`);
  await command(sql`
    INSERT INTO inventory_latest (warehouse_id, sku, source_system, latest, latest_at)
    SELECT toString(warehouse_id), sku, toString(source_system),
      argMaxState(tuple(quantity, unit_cost, occurred_at), tuple(occurred_at, event_id)), max(occurred_at)
    FROM events
    WHERE ${inSlice}
      AND type = 'inventory.snapshot' AND source_system IN ('ERP', 'WMS')
    GROUP BY warehouse_id, sku, source_system`);
  await command(sql`
    INSERT INTO invoice_postings (correlation_id, shipped_at, first_shipment, invoiced_at)
    SELECT correlation_id,
      minIf(toNullable(occurred_at), type = 'shipment.confirmed'),
      minIf(toNullable(${FIRST_SHIPMENT}), type = 'shipment.confirmed'),
      minIf(toNullable(occurred_at), type = 'invoice.posted')
    FROM events
    WHERE ${inSlice}
      AND type IN ('shipment.confirmed', 'invoice.posted')
    GROUP BY correlation_id`);
  await command(sql`
    INSERT INTO exception_state (${EXCEPTION_STATE_COLUMNS})
    SELECT ${EXCEPTION_STATE_AGGREGATES}
    FROM events
    WHERE ${inSlice}
      AND ${EXCEPTION_STATE_ROWS}
    GROUP BY exception_id`);
  await command(sql`
    INSERT INTO flow_transactions (${FLOW_COLUMNS})
    SELECT ${flowAggregates()}
    FROM events
    WHERE ${inSlice}
      AND ${FLOW_BUSINESS_ROWS}
    GROUP BY correlation_id, warehouse_id`);
  // Drift causes (0014): a replayed movement is a duplicate row the reader keeps once (LIMIT 1 BY event_id);
  // the latest message per key is an argMax state.
  await command(sql`
    INSERT INTO stock_movements (${STOCK_MOVEMENT_COLUMNS})
    SELECT ${STOCK_MOVEMENT_VALUES}
    FROM events
    WHERE ${inSlice}
      AND ${STOCK_MOVEMENT_ROWS}`);
  // Sync messages (0016): only the messages missing there. The table is a plain MergeTree (duplicates never
  // merge away), and the tail is the whole last hour, so replaying all of it would double every message of a
  // restart soon after a backfill, and each read would then skip twice the rows. The look-up reads the slice's
  // observed_at range (the table's key) and keeps only the slice's ids, so its sets stay within a slice
  // (a set of every id in the range overran the memory guard at 10M).
  const messages = sql`SELECT * FROM events WHERE ${inSlice} AND type = 'sync.message'`;
  await command(sql`
    INSERT INTO sync_messages (${SYNC_MESSAGE_COLUMNS})
    SELECT ${SYNC_MESSAGE_VALUES}
    FROM (${messages})
    WHERE event_id NOT IN (
      SELECT event_id FROM sync_messages
      WHERE observed_at >= (SELECT min(observed_at) FROM (${messages})) AND observed_at <= (SELECT max(observed_at) FROM (${messages}))
        AND event_id IN (SELECT event_id FROM (${messages})))`);
  await command(sql`
    INSERT INTO sync_latest (${SYNC_LATEST_COLUMNS})
    SELECT ${SYNC_LATEST_AGGREGATES}
    FROM events
    WHERE ${inSlice}
      AND type = 'sync.message'
    GROUP BY ${SYNC_LATEST_KEY}`);
  // A touch lost with its view part would leave the flow snapshot stale for that transaction: touch the
  // tail's transactions again, now, so reads re-evaluate them until the next snapshot.
  await command(sql`
    INSERT INTO flow_touches (ingested_at, correlation_id)
    SELECT now64(3), correlation_id
    FROM events
    WHERE ${inSlice}
      AND ${FLOW_BUSINESS_ROWS}
    GROUP BY correlation_id`);
}
