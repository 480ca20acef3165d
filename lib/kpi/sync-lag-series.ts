import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { query, sql } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { loadConfig } from '@/lib/config/slo';
import { nullableNumber } from './common';
import { aggregateCells, cellAggregateRow, lagSeconds, syncCells } from './sync-cells';
import { bucketExpr, bucketStarts, chooseGranularity, stepMs, zeroFill } from './time';

const HOUR_MS = 3_600_000;

/** Sync lag over time (bucketed by observed_at) and by route/interface: the charts of metrics.md §1. */
export const seriesPoint = z.object({
  t: z.string(),
  messages: z.number(),
  delivered: z.number(),
  failed: z.number(),
  retried: z.number(),
  dead_lettered: z.number(),
  p50: nullableNumber,
  p95: nullableNumber,
  p99: nullableNumber,
});
export type SeriesPoint = z.infer<typeof seriesPoint>;

export const syncLagSeriesResponse = z.object({
  from: z.string(),
  to: z.string(),
  tz: z.string(),
  bucket_seconds: z.number(),
  total: z.array(seriesPoint),
  warehouses: z.array(z.object({ warehouse_id: z.string(), points: z.array(seriesPoint) })),
});
export type SyncLagSeriesResponse = z.infer<typeof syncLagSeriesResponse>;

const row = cellAggregateRow.extend({ warehouse_id: z.string(), is_total: z.number(), bucket: z.number() });

type Point = Omit<SeriesPoint, 't'>;
const zero = (): Point => ({ messages: 0, delivered: 0, failed: 0, retried: 0, dead_lettered: 0, p50: null, p95: null, p99: null });

export async function syncLagSeries(scope: QueryScope, params: { from: number; to: number; tz: string }): Promise<SyncLagSeriesResponse> {
  const { from, to, tz } = params;
  const g = chooseGranularity(from, to);
  return withSpan('kpi.sync_lag_series', { 'kpi.granularity': g }, async () => {
    const starts = bucketStarts(from, to, g, tz);
    // Hour rollup cells fit a bucket only when buckets start on whole UTC hours (not in 30-minute zones).
    const rawOnly = stepMs(g) < HOUR_MS || starts.some((t) => t % HOUR_MS !== 0);
    const sloMs = loadConfig().slo.sync_lag_seconds * 1000;
    const cells = await syncCells(scope, from, to, sloMs, { withTs: true, rawOnly });
    const rows = await query(
      aggregateCells(cells, {
        select: [sql`warehouse_id`, sql`grouping(warehouse_id) AS is_total`, sql`${bucketExpr(sql`ts`, g, tz)} AS bucket`],
        keys: [sql`warehouse_id`, sql`is_total`, sql`bucket`],
        sets: [[sql`warehouse_id`, sql`bucket`], [sql`bucket`]],
      }),
      row,
      { name: 'kpi.sync_lag_series' },
    );
    const strip = (r: z.infer<typeof row>): Point => {
      const { p50, p95, p99 } = lagSeconds(r);
      return { messages: r.messages, delivered: r.delivered, failed: r.failed, retried: r.retried, dead_lettered: r.dead_lettered, p50, p95, p99 };
    };
    const total = new Map<number, Point>();
    const perWh = new Map<string, Map<number, Point>>();
    for (const r of rows) {
      if (r.is_total === 1) total.set(r.bucket, strip(r));
      else {
        const m = perWh.get(r.warehouse_id) ?? new Map<number, Point>();
        m.set(r.bucket, strip(r));
        perWh.set(r.warehouse_id, m);
      }
    }
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      tz,
      bucket_seconds: stepMs(g) / 1000,
      total: zeroFill(starts, total, zero),
      warehouses: [...perWh.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([warehouse_id, m]) => ({ warehouse_id, points: zeroFill(starts, m, zero) })),
    };
  });
}

export const breakdownRow = z.object({
  source_system: z.string(),
  target_system: z.string(),
  interface: z.string().nullable(),
  messages: z.number(),
  delivered: z.number(),
  failed: z.number(),
  dead_lettered: z.number(),
  failure_rate: z.number(),
  p95: nullableNumber,
  max: nullableNumber,
});
export const syncLagBreakdownResponse = z.object({
  from: z.string(),
  to: z.string(),
  routes: z.array(breakdownRow.omit({ interface: true })),
  interfaces: z.array(breakdownRow),
});
export type SyncLagBreakdownResponse = z.infer<typeof syncLagBreakdownResponse>;

const bRow = cellAggregateRow.extend({
  source_system: z.string(),
  target_system: z.string(),
  interface: z.string().nullable(),
  by_interface: z.number(),
});

/** By `source_system → target_system`, and by interface within each route; worst p95 first. */
export async function syncLagBreakdown(scope: QueryScope, params: { from: number; to: number }): Promise<SyncLagBreakdownResponse> {
  const { from, to } = params;
  const sloMs = loadConfig().slo.sync_lag_seconds * 1000;
  const rows = await query(
    aggregateCells(await syncCells(scope, from, to, sloMs), {
      select: [sql`source_system`, sql`target_system`, sql`interface`, sql`grouping(interface) = 0 AS by_interface`],
      keys: [sql`source_system`, sql`target_system`, sql`interface`, sql`by_interface`],
      sets: [[sql`source_system`, sql`target_system`], [sql`source_system`, sql`target_system`, sql`interface`]],
    }),
    bRow,
    { name: 'kpi.sync_lag_breakdown' },
  );
  const shape = (r: z.infer<typeof bRow>) => ({
    source_system: r.source_system,
    target_system: r.target_system,
    interface: r.interface,
    messages: r.messages,
    delivered: r.delivered,
    failed: r.failed,
    dead_lettered: r.dead_lettered,
    failure_rate: r.messages > 0 ? (r.failed + r.dead_lettered) / r.messages : 0,
    p95: lagSeconds(r).p95,
    max: lagSeconds(r).max,
  });
  const worst = (a: { p95: number | null; messages: number }, b: { p95: number | null; messages: number }) =>
    (b.p95 ?? -Infinity) - (a.p95 ?? -Infinity) || b.messages - a.messages;
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    routes: rows.filter((r) => r.by_interface === 0).map(shape).map(({ interface: _i, ...rest }) => rest).sort(worst),
    interfaces: rows.filter((r) => r.by_interface === 1).map(shape).sort(worst),
  };
}
