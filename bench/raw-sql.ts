import { chooseGranularity, stepMs } from '@/lib/kpi/time';
import { p, sql, unsafeRaw, type Sql } from '@/lib/store';
import { monthOf, type Probe } from './kpis';

/**
 * The raw-SQL baseline: for each KPI, the plain SQL someone fluent in ClickHouse would write straight
 * against the raw `events` table for the same figures — no rollups, no warehouse listing, no response
 * assembly. Each returns the statements a call runs and how to read the compared figure from them.
 */

export interface RawPlan {
  stmts: Sql[];
  /** The figure compared with the endpoint's answer, from the rows of each statement. */
  figure: (results: Record<string, unknown>[][]) => number | null;
}

const H = 3_600_000;
const DAY = 24 * H;
const SYNC_SLO_MS = 300_000; // lib/config/slo.ts default, as the server runs without CT_CONFIG_FILE
const POSTING_SLO_MS = 48 * H;

const totalOf = (rows: Record<string, unknown>[] | undefined, col: string): number | null => {
  const t = rows?.find((r) => Number(r.is_total) === 1);
  const v = t ? Number(t[col]) : NaN;
  return Number.isFinite(v) ? v : null;
};

function syncLag(from: number, to: number): Sql {
  return sql`
    WITH dateDiff('millisecond', occurred_at, observed_at) AS lag_ms
    SELECT toString(warehouse_id) AS wh, grouping(warehouse_id) AS is_total,
      count() AS messages,
      countIf(status = 'delivered') AS delivered, countIf(status = 'failed') AS failed,
      countIf(status = 'retried') AS retried, countIf(status = 'dead_lettered') AS dead_lettered,
      quantilesExactIf(0.5, 0.95, 0.99)(lag_ms, status = 'delivered') AS lag_q,
      maxIf(lag_ms, status = 'delivered') AS lag_max,
      countIf(status = 'delivered' AND lag_ms > ${p.i64(SYNC_SLO_MS)}) AS breaches
    FROM events
    WHERE type = 'sync.message' AND observed_at >= ${p.time(from)} AND observed_at < ${p.time(to)}
    GROUP BY warehouse_id WITH ROLLUP`;
}

function syncSeries(from: number, to: number): Sql {
  // Whole seconds from lib/kpi/time's closed set of granularities: a number, never user text.
  const step = unsafeRaw(`INTERVAL ${Math.round(stepMs(chooseGranularity(from, to)) / 1000)} SECOND`);
  return sql`
    WITH dateDiff('millisecond', occurred_at, observed_at) AS lag_ms
    SELECT toString(warehouse_id) AS wh, grouping(warehouse_id) AS is_total,
      toStartOfInterval(observed_at, ${step}) AS bucket,
      count() AS messages,
      countIf(status = 'delivered') AS delivered, countIf(status = 'failed') AS failed,
      countIf(status = 'retried') AS retried, countIf(status = 'dead_lettered') AS dead_lettered,
      quantilesExactIf(0.5, 0.95, 0.99)(lag_ms, status = 'delivered') AS lag_q
    FROM events
    WHERE type = 'sync.message' AND observed_at >= ${p.time(from)} AND observed_at < ${p.time(to)}
    GROUP BY GROUPING SETS ((warehouse_id, bucket), (bucket))`;
}

/** Open exceptions at asOf by age bucket and severity, and median time to resolve in (mFrom, mTo]. */
function aging(asOf: number, mFrom: number, mTo: number, closedLeft: boolean): Sql {
  const at = p.time(asOf);
  const inWindow = closedLeft
    ? sql`ifNull(resolved_at >= ${p.time(mFrom)} AND resolved_at < ${p.time(mTo)}, 0)`
    : sql`ifNull(resolved_at > ${p.time(mFrom)} AND resolved_at <= ${p.time(mTo)}, 0)`;
  const b = (lo: number, hi: number | null) =>
    hi === null ? sql`countIf(is_open AND age_ms >= ${p.i64(lo)})` : sql`countIf(is_open AND age_ms >= ${p.i64(lo)} AND age_ms < ${p.i64(hi)})`;
  return sql`
    SELECT toString(wh) AS wh, grouping(wh) AS is_total,
      countIf(is_open) AS open, maxIf(age_ms, is_open) AS oldest_ms,
      quantileExactIf(0.5)(ttr_ms, in_window) AS mttr_ms,
      ${b(0, 4 * H)} AS lt_4h, ${b(4 * H, DAY)} AS h4_24, ${b(DAY, 3 * DAY)} AS d1_3, ${b(3 * DAY, 7 * DAY)} AS d3_7, ${b(7 * DAY, null)} AS gt_7d,
      countIf(is_open AND sev = 'critical') AS critical, countIf(is_open AND sev = 'high') AS high,
      countIf(is_open AND sev = 'medium') AS medium, countIf(is_open AND sev = 'low') AS low
    FROM (
      SELECT exception_id,
        argMinIf(warehouse_id, (occurred_at, event_id), type = 'exception.opened') AS wh,
        argMinIf(severity, (occurred_at, event_id), type = 'exception.opened') AS sev,
        minIf(occurred_at, type = 'exception.opened') AS opened_at,
        minIf(toNullable(occurred_at), type = 'exception.resolved') AS resolved_at,
        opened_at <= ${at} AND ifNull(resolved_at > ${at}, 1) AS is_open,
        dateDiff('millisecond', opened_at, ${at}) AS age_ms,
        ${inWindow} AS in_window,
        dateDiff('millisecond', opened_at, resolved_at) AS ttr_ms
      FROM events
      WHERE type IN ('exception.opened', 'exception.resolved') AND exception_id != ''
      GROUP BY exception_id
      HAVING countIf(type = 'exception.opened') > 0
    )
    GROUP BY wh WITH ROLLUP`;
}

function invoiceLatency(from: number, to: number): Sql {
  return sql`
    WITH dateDiff('millisecond', s, i) AS lat_ms
    SELECT toString(w) AS wh, grouping(w) AS is_total,
      count() AS invoices, countIf(lat_ms < 0) AS negative,
      quantilesExactIf(0.5, 0.95)(lat_ms, lat_ms >= 0) AS lat_q, maxIf(lat_ms, lat_ms >= 0) AS lat_max
    FROM (
      SELECT correlation_id, min(occurred_at) AS i FROM events
      WHERE type = 'invoice.posted' AND occurred_at < ${p.time(to)}
      GROUP BY correlation_id HAVING i >= ${p.time(from)}
    ) AS inv
    INNER JOIN (
      SELECT correlation_id, min(occurred_at) AS s, argMin(warehouse_id, (occurred_at, event_id)) AS w FROM events
      WHERE type = 'shipment.confirmed' AND correlation_id IN (
        SELECT correlation_id FROM events
        WHERE type = 'invoice.posted' AND occurred_at >= ${p.time(from)} AND occurred_at < ${p.time(to)})
      GROUP BY correlation_id
    ) AS sh USING correlation_id
    GROUP BY w WITH ROLLUP`;
}

/** Shipments not invoiced at asOf, optionally only those shipped in [start, end). */
function unposted(asOf: number, period?: { start: number; end: number }): Sql {
  const at = p.time(asOf);
  const inPeriod = period ? sql`AND s >= ${p.time(period.start)} AND s < ${p.time(period.end)}` : sql``;
  return sql`
    WITH dateDiff('millisecond', s, ${at}) AS age_ms
    SELECT toString(first.1) AS wh, grouping(wh) AS is_total,
      count() AS unposted, round(sum(ifNull(first.2, toDecimal128(0, 6))), 2) AS amount,
      countIf(age_ms < ${p.i64(4 * H)}) AS lt_4h, countIf(age_ms >= ${p.i64(4 * H)} AND age_ms < ${p.i64(DAY)}) AS h4_24,
      countIf(age_ms >= ${p.i64(DAY)} AND age_ms < ${p.i64(3 * DAY)}) AS d1_3,
      countIf(age_ms >= ${p.i64(3 * DAY)} AND age_ms < ${p.i64(7 * DAY)}) AS d3_7, countIf(age_ms >= ${p.i64(7 * DAY)}) AS gt_7d,
      max(age_ms) AS oldest_ms, countIf(age_ms > ${p.i64(POSTING_SLO_MS)}) AS over_slo
    FROM (
      SELECT correlation_id, min(occurred_at) AS s, argMin((warehouse_id, amount), (occurred_at, event_id)) AS first
      FROM events WHERE type = 'shipment.confirmed' AND occurred_at <= ${at}
      GROUP BY correlation_id
    )
    WHERE correlation_id NOT IN (SELECT correlation_id FROM events WHERE type = 'invoice.posted' AND occurred_at <= ${at}) ${inPeriod}
    GROUP BY wh WITH ROLLUP`;
}

function drift(asOf: number): Sql {
  return sql`
    SELECT wh, grouping(wh) AS is_total,
      count() AS skus_compared, countIf(d != 0) AS skus_mismatched,
      sum(abs(d)) AS abs_drift_units, sum(d) AS net_drift_units,
      round(sum(abs(d) * ifNull(cost, toDecimal128(0, 6))), 2) AS drift_value
    FROM (
      SELECT toString(warehouse_id) AS wh, sku,
        argMaxIf((quantity, unit_cost), (occurred_at, event_id), source_system = 'ERP') AS erp,
        argMaxIf((quantity, unit_cost), (occurred_at, event_id), source_system = 'WMS') AS wms,
        assumeNotNull(wms.1) - assumeNotNull(erp.1) AS d, coalesce(erp.2, wms.2) AS cost
      FROM events
      WHERE type = 'inventory.snapshot' AND occurred_at <= ${p.time(asOf)} AND source_system IN ('ERP', 'WMS')
      GROUP BY warehouse_id, sku
      HAVING countIf(source_system = 'ERP') > 0 AND countIf(source_system = 'WMS') > 0
    )
    GROUP BY wh WITH ROLLUP`;
}

function openFinanceExceptions(asOf: number, end: number): Sql {
  return sql`
    SELECT toString(f.1) AS wh, grouping(wh) AS is_total,
      countIf(f.2 = 'critical') AS critical, countIf(f.2 = 'high') AS high,
      countIf(f.2 = 'medium') AS medium, countIf(f.2 = 'low') AS low
    FROM (
      SELECT exception_id, argMin((warehouse_id, severity, workflow), (occurred_at, event_id)) AS f
      FROM events
      WHERE type = 'exception.opened' AND occurred_at <= ${p.time(asOf)} AND occurred_at < ${p.time(end)}
      GROUP BY exception_id
    )
    WHERE f.3 IN ('order_to_cash', 'procure_to_pay', 'return_to_credit')
      AND exception_id NOT IN (SELECT exception_id FROM events WHERE type = 'exception.resolved' AND occurred_at <= ${p.time(asOf)})
    GROUP BY wh WITH ROLLUP`;
}

function syncBreakdown(from: number, to: number): Sql {
  return sql`
    WITH dateDiff('millisecond', occurred_at, observed_at) AS lag_ms
    SELECT toString(source_system) AS src, toString(target_system) AS tgt, toString(interface) AS iface, grouping(interface) = 0 AS by_iface,
      count() AS messages, countIf(status = 'delivered') AS delivered,
      countIf(status = 'failed') AS failed, countIf(status = 'dead_lettered') AS dead_lettered,
      quantileExactIf(0.95)(lag_ms, status = 'delivered') AS p95, maxIf(lag_ms, status = 'delivered') AS lag_max
    FROM events
    WHERE type = 'sync.message' AND observed_at >= ${p.time(from)} AND observed_at < ${p.time(to)}
    GROUP BY GROUPING SETS ((source_system, target_system), (source_system, target_system, interface))`;
}

/** The mismatched SKUs, worst first (metrics.md §4), as one would list them from the raw snapshots. */
function driftSkus(asOf: number): Sql {
  return sql`
    SELECT wh, sku, erp.1 AS erp_q, wms.1 AS wms_q, d, cost, abs(d) * ifNull(cost, toDecimal128(0, 6)) AS value
    FROM (
      SELECT toString(warehouse_id) AS wh, sku,
        argMaxIf((quantity, unit_cost), (occurred_at, event_id), source_system = 'ERP') AS erp,
        argMaxIf((quantity, unit_cost), (occurred_at, event_id), source_system = 'WMS') AS wms,
        assumeNotNull(wms.1) - assumeNotNull(erp.1) AS d, coalesce(erp.2, wms.2) AS cost
      FROM events
      WHERE type = 'inventory.snapshot' AND occurred_at <= ${p.time(asOf)} AND source_system IN ('ERP', 'WMS')
      GROUP BY warehouse_id, sku
      HAVING countIf(source_system = 'ERP') > 0 AND countIf(source_system = 'WMS') > 0
    )
    WHERE d != 0
    ORDER BY value DESC, wh, sku
    LIMIT 100`;
}

/** metrics.md §9 in one statement: mismatched pairs, their movements in the 7 days, each one's latest message. */
function driftCauses(asOf: number): Sql {
  const at = p.time(asOf);
  return sql`
    WITH
      pairs AS (
        SELECT warehouse_id, sku FROM events
        WHERE type = 'inventory.snapshot' AND occurred_at <= ${at} AND source_system IN ('ERP', 'WMS')
        GROUP BY warehouse_id, sku
        HAVING countIf(source_system = 'ERP') > 0 AND countIf(source_system = 'WMS') > 0
          AND argMaxIf(quantity, (occurred_at, event_id), source_system = 'WMS') != argMaxIf(quantity, (occurred_at, event_id), source_system = 'ERP')
      ),
      moves AS (
        SELECT DISTINCT event_id, warehouse_id, sku, correlation_id, source_system FROM events
        WHERE type IN ('receipt.posted', 'transfer.received', 'return.received', 'shipment.confirmed', 'transfer.shipped', 'inventory.adjusted')
          AND occurred_at > ${p.time(asOf - 7 * DAY)} AND occurred_at <= ${at}
          AND (warehouse_id, sku) IN (SELECT warehouse_id, sku FROM pairs)
      ),
      latest AS (
        SELECT warehouse_id, correlation_id, source_system, argMax(status, (observed_at, event_id)) AS st FROM events
        WHERE type = 'sync.message' AND observed_at <= ${at} AND correlation_id IN (SELECT correlation_id FROM moves)
        GROUP BY warehouse_id, correlation_id, source_system
      )
    SELECT count() AS unsynced
    FROM moves INNER JOIN latest USING (warehouse_id, correlation_id, source_system)
    WHERE st IN ('failed', 'dead_lettered')`;
}

/**
 * metrics.md §8 in one statement: per correlation the earliest business event's workflow, each expected
 * stage's earliest time at or before as_of, the last stage reached in workflow order, its wait against the
 * default stage SLAs. Columns: overdue (all workflows and stages), waiting rows for one stage.
 */
function flowStages(asOf: number): Sql {
  const at = p.time(asOf);
  const t = (type: string) => sql`minIf(toNullable(occurred_at), type = ${p.str(type)})`;
  return sql`
    SELECT correlation_id, wf, ts, slas, arrayLastIndex(x -> isNotNull(x), ts) AS idx,
           if(idx > 0 AND idx < length(ts), dateDiff('millisecond', assumeNotNull(ts[idx]), ${at}), NULL) AS wait_ms
    FROM (
      SELECT correlation_id,
        argMinIf(toString(workflow), (occurred_at, event_id),
                 type NOT IN ('sync.message', 'inventory.snapshot') AND NOT startsWith(toString(type), 'exception.')) AS wf,
        countIf(type NOT IN ('sync.message', 'inventory.snapshot') AND NOT startsWith(toString(type), 'exception.')) AS n_business,
        multiIf(
          wf = 'order_to_cash', [${t('order.created')}, ${t('pick.confirmed')}, ${t('shipment.confirmed')}, ${t('invoice.posted')}, ${t('payment.received')}],
          wf = 'procure_to_pay', [${t('receipt.posted')}, ${t('invoice.posted')}, ${t('payment.received')}],
          wf = 'return_to_credit', [${t('return.received')}, ${t('credit.issued')}],
          wf = 'inventory', [${t('transfer.shipped')}, ${t('transfer.received')}],
          []) AS ts,
        multiIf(wf = 'order_to_cash', [86400000, 86400000, 172800000, 3888000000],
                wf = 'procure_to_pay', [604800000, 3888000000],
                wf = 'return_to_credit', [604800000],
                wf = 'inventory', [259200000], []) AS slas
      FROM events WHERE occurred_at <= ${at}
      GROUP BY correlation_id
      HAVING n_business > 0)`;
}

function flow(asOf: number): Sql {
  return sql`SELECT countIf(wait_ms > slas[idx]) AS overdue FROM (${flowStages(asOf)}) WHERE wait_ms IS NOT NULL`;
}

function flowWaiting(asOf: number): Sql {
  return sql`SELECT correlation_id, wait_ms FROM (${flowStages(asOf)})
    WHERE wf = 'order_to_cash' AND idx = 3 AND wait_ms IS NOT NULL ORDER BY wait_ms DESC, correlation_id LIMIT 100`;
}

function unpostedList(asOf: number): Sql {
  const at = p.time(asOf);
  return sql`
    SELECT correlation_id, toString(first.1) AS wh, s, first.2 AS amount, toString(first.3) AS currency, first.4 AS document_ref
    FROM (
      SELECT correlation_id, min(occurred_at) AS s, argMin((warehouse_id, amount, currency, document_ref), (occurred_at, event_id)) AS first
      FROM events WHERE type = 'shipment.confirmed' AND occurred_at <= ${at}
      GROUP BY correlation_id
    )
    WHERE correlation_id NOT IN (SELECT correlation_id FROM events WHERE type = 'invoice.posted' AND occurred_at <= ${at})
    ORDER BY s, correlation_id
    LIMIT 100`;
}

/** Accepted events and ingest delay p95 per source and type, for events ingested in the window. */
function pipeline(from: number, to: number): Sql {
  return sql`
    SELECT toString(source_system) AS src, toString(type) AS t, count() AS accepted,
      quantileExact(0.95)(dateDiff('millisecond', occurred_at, ingested_at)) AS delay_p95
    FROM events
    WHERE ingested_at >= ${p.time(from)} AND ingested_at < ${p.time(to)}
    GROUP BY source_system, type`;
}

const sumCol = (rows: Record<string, unknown>[] | undefined, col: string): number | null =>
  rows ? rows.reduce((acc, r) => acc + Number(r[col] ?? 0), 0) : null;

function correlation(id: string): Sql[] {
  return [
    sql`SELECT event_id, toString(type) AS type, occurred_at, observed_at, ingested_at, toString(source_system) AS source_system,
          toString(target_system) AS target_system, toString(warehouse_id) AS warehouse_id, correlation_id,
          toString(workflow) AS workflow, document_ref, attributes, exception_id
        FROM events WHERE correlation_id = ${p.str(id)} ORDER BY occurred_at, event_id`,
    sql`SELECT exception_id,
          argMinIf(severity, (occurred_at, event_id), type = 'exception.opened') AS severity,
          minIf(occurred_at, type = 'exception.opened') AS opened_at,
          minIf(toNullable(occurred_at), type = 'exception.resolved') AS resolved_at,
          argMaxIf(owner, (occurred_at, event_id), type IN ('exception.opened', 'exception.assigned')) AS owner
        FROM events
        WHERE exception_id IN (SELECT exception_id FROM events WHERE correlation_id = ${p.str(id)} AND exception_id != '')
        GROUP BY exception_id`,
  ];
}

const closeStmts = (asOf: number): Sql[] => {
  const month = monthOf(asOf);
  return [unposted(asOf, month), openFinanceExceptions(asOf, month.end), drift(asOf)];
};

export function rawPlan(probe: Probe): RawPlan {
  const { from, to, asOf } = probe;
  switch (probe.raw) {
    case 'sync_lag':
      return { stmts: [syncLag(from, to)], figure: (r) => totalOf(r[0], 'messages') };
    case 'sync_lag_series':
      return { stmts: [syncSeries(from, to)], figure: (r) => r[0]?.filter((x) => Number(x.is_total) === 1).length ?? null };
    case 'exception_aging':
      return { stmts: [aging(asOf, from, to, true)], figure: (r) => totalOf(r[0], 'open') };
    case 'invoice_latency':
      return { stmts: [invoiceLatency(from, to), unposted(asOf)], figure: (r) => totalOf(r[0], 'invoices') };
    case 'drift':
      return { stmts: [drift(asOf)], figure: (r) => totalOf(r[0], 'skus_compared') };
    case 'close_readiness':
      return { stmts: closeStmts(asOf), figure: (r) => totalOf(r[0], 'unposted') };
    case 'sync_breakdown':
      return { stmts: [syncBreakdown(from, to)], figure: (r) => r[0]?.filter((x) => Number(x.by_iface) === 1).length ?? null };
    case 'sync_hints':
      // The route × interface counts of the window and of the previous one (metrics.md §10).
      return { stmts: [syncBreakdown(from, to), syncBreakdown(from - (to - from), from)], figure: () => null };
    case 'drift_skus':
      return { stmts: [driftSkus(asOf)], figure: (r) => r[0]?.length ?? null };
    case 'drift_causes':
      return { stmts: [driftCauses(asOf)], figure: (r) => (r[0]?.[0] ? Number(r[0][0].unsynced) : null) };
    case 'unposted_list':
      return { stmts: [unpostedList(asOf)], figure: (r) => r[0]?.length ?? null };
    case 'flow':
      return { stmts: [flow(asOf)], figure: (r) => (r[0]?.[0] ? Number(r[0][0].overdue) : null) };
    case 'flow_waiting':
      return { stmts: [flowWaiting(asOf)], figure: (r) => r[0]?.length ?? null };
    case 'pipeline':
      return { stmts: [pipeline(from, to)], figure: (r) => sumCol(r[0], 'accepted') };
    case 'correlation':
      return { stmts: correlation(probe.correlationId), figure: (r) => r[0]?.length ?? null };
    case 'summary': {
      // Every headline KPI for the window and the previous one of equal length, taken at its end.
      const prev = from - (to - from);
      const at = (f: number, t: number): Sql[] => [
        syncLag(f, t),
        aging(t, t - 30 * DAY, t, false),
        invoiceLatency(f, t),
        unposted(t),
        ...closeStmts(t),
        flow(t),
      ];
      return { stmts: [...at(from, to), ...at(prev, from)], figure: () => null };
    }
  }
}
