import { z } from 'zod';
import type { QueryScope } from '@/lib/scope';
import { p, query, sql, withLane } from '@/lib/store';
import { withSpan } from '@/lib/telemetry/span';
import { byId, nullableNumber } from '@/lib/kpi/common';
import { delayP95Seconds, pipelineAggregate, pipelineAggregateRow, pipelineCells } from '@/lib/kpi/pipeline-cells';

/**
 * metrics.md §6: per source system × type over a window of INGEST time: accepted, duplicates dropped,
 * rejected (by reason) and the p95 of ingested_at − occurred_at (nearest rank, from a log-bucket histogram:
 * within 0.5 %, metrics.md allows 1 %).
 *
 * Scope: `ingest_stats` and `rejected_events` carry no warehouse (duplicates are counted per batch,
 * and a rejected line has no trusted warehouse at all). For a caller who sees every warehouse the
 * counters come from them. A caller limited to some warehouses must not learn about other warehouses'
 * traffic, so for them `accepted` is counted from the stored events of their warehouses, and
 * `duplicates` / `rejected` are reported as 0 rather than as figures that mix in other warehouses.
 * Those counters are what the pipeline counted per batch, read the same way whichever table serves the
 * delays; only the delay histogram and the scoped count have a rollup (lib/kpi/tables.ts).
 */
export const pipelineHealthParams = z.object({ from: z.number(), to: z.number() });
export type PipelineHealthParams = z.infer<typeof pipelineHealthParams>;

export const pipelineRow = z.object({
  source_system: z.string(),
  type: z.string(),
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  rejected_by_reason: z.record(z.string(), z.number()),
  ingest_delay_p95_seconds: nullableNumber,
});
export type PipelineRow = z.infer<typeof pipelineRow>;

export const pipelineHealthResponse = z.object({ from: z.string(), to: z.string(), rows: z.array(pipelineRow) });
export type PipelineHealthResponse = z.infer<typeof pipelineHealthResponse>;

const statsRow = z.object({ source_system: z.string(), type: z.string(), accepted: z.number(), duplicates: z.number() });
const rejectedRow = z.object({ source_system: z.string(), type: z.string(), reason_key: z.string(), n: z.number() });

function statsQuery(from: number, to: number) {
  return query(
    sql`SELECT toString(source_system) AS source_system, toString(type) AS type,
               sum(accepted) AS accepted, sum(duplicates) AS duplicates
        FROM ingest_stats WHERE ts >= ${p.time(from)} AND ts < ${p.time(to)}
        GROUP BY source_system, type`,
    statsRow,
    { name: 'kpi.pipeline.stats' },
  );
}

function rejectedQuery(from: number, to: number) {
  return query(
    sql`SELECT toString(source_system) AS source_system, toString(type) AS type, toString(reason_key) AS reason_key, count() AS n
        FROM rejected_events WHERE ingested_at >= ${p.time(from)} AND ingested_at < ${p.time(to)}
        GROUP BY source_system, type, reason_key`,
    rejectedRow,
    { name: 'kpi.pipeline.rejected' },
  );
}

/**
 * Delay (and, for scoped callers, the accepted count) from the deduplicated events ingested in the window:
 * per ingest hour from pipeline_hourly where it is exact, raw events elsewhere (lib/kpi/pipeline-cells.ts).
 */
async function delayQuery(scope: QueryScope, from: number, to: number) {
  return query(pipelineAggregate(await pipelineCells(scope, from, to)), pipelineAggregateRow, { name: 'kpi.pipeline.delay' });
}

export async function pipelineHealth(scope: QueryScope, params: PipelineHealthParams): Promise<PipelineHealthResponse> {
  const { from, to } = pipelineHealthParams.parse(params);
  return withLane('bulk', () => withSpan('kpi.pipeline_health', { 'kpi.warehouses': scope.warehouses?.length ?? -1 }, async () => {
    const all = scope.warehouses === null;
    const [stats, rejected, delays] = await Promise.all([
      all ? statsQuery(from, to) : Promise.resolve([]),
      all ? rejectedQuery(from, to) : Promise.resolve([]),
      delayQuery(scope, from, to),
    ]);
    // Reasons collect in a Map: a reason key is derived from client input and may be `__proto__`.
    type Acc = Omit<PipelineRow, 'rejected_by_reason'> & { reasons: Map<string, number> };
    const rows = new Map<string, Acc>();
    const at = (source_system: string, type: string): Acc => {
      const key = `${source_system}\u0000${type}`;
      let r = rows.get(key);
      if (!r) {
        r = { source_system, type, accepted: 0, duplicates: 0, rejected: 0, reasons: new Map(), ingest_delay_p95_seconds: null };
        rows.set(key, r);
      }
      return r;
    };
    for (const s of stats) {
      const r = at(s.source_system, s.type);
      r.accepted += s.accepted;
      r.duplicates += s.duplicates;
    }
    for (const x of rejected) {
      const r = at(x.source_system, x.type);
      r.rejected += x.n;
      r.reasons.set(x.reason_key, (r.reasons.get(x.reason_key) ?? 0) + x.n);
    }
    for (const d of delays) {
      const r = at(d.source_system, d.type);
      if (!all) r.accepted += d.accepted;
      r.ingest_delay_p95_seconds = delayP95Seconds(d);
    }
    const sorted = [...rows.values()]
      .sort((a, b) => byId(a.source_system, b.source_system) || byId(a.type, b.type))
      .map(({ reasons, ...r }): PipelineRow => ({ ...r, rejected_by_reason: Object.fromEntries([...reasons].sort((a, b) => byId(a[0], b[0]))) }));
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), rows: sorted };
  }));
}
