import type { HttpIngest } from './http-ingest';
import type { KpiTiming } from './server';
import type { Probe } from './kpis';
import type { HttpPhase, KpiRow } from './report';
import { round } from './stats';

/** Pieces of the report built from the phases' raw results (kept out of run.ts for its length). */

export interface RawKpi {
  settle_seconds: number;
  parts: number;
  stored: number;
  version: string;
  probes: { key: string; statements: number; cold_ms: number | null; p50_ms: number | null; p95_ms: number | null; figure: number | null; error: string | null }[];
}

export function kpiRows(probes: readonly Probe[], timings: readonly KpiTiming[], rawKpi: RawKpi): KpiRow[] {
  return probes.map((p) => {
    const t = timings.find((x) => x.key === p.key);
    const r = rawKpi.probes.find((x) => x.key === p.key);
    const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? round(a / b, 2) : null);
    return {
      key: p.key, endpoint: p.endpoint, window: p.window, status: t?.status ?? 'error',
      cold_ms: t?.cold_ms ?? null, p50_ms: t?.p50_ms ?? null, p95_ms: t?.p95_ms ?? null,
      raw_statements: r?.statements ?? 0, raw_cold_ms: r?.cold_ms ?? null, raw_p50_ms: r?.p50_ms ?? null, raw_p95_ms: r?.p95_ms ?? null,
      ratio_p50: ratio(t?.p50_ms, r?.p50_ms), ratio_p95: ratio(t?.p95_ms, r?.p95_ms),
      figure_name: p.figureName, figure: t?.figure ?? null, raw_figure: r?.figure ?? null,
      error: t?.error ?? r?.error ?? null,
    };
  });
}

export function httpPhase(id: HttpPhase['id'], h: HttpIngest, lines: string, rawRate: number): HttpPhase {
  return {
    id, clients: h.clients, lines, events: h.events, seconds: round(h.seconds, 1), events_per_s: Math.round(h.events / h.seconds),
    vs_raw: round(h.events / h.seconds / rawRate, 3), requests: h.requests, retries: h.retries,
    body_mib: `${h.bodyMiB.min.toFixed(1)}–${h.bodyMiB.max.toFixed(1)}`,
    ack_p50_ms: h.ackMs.p50, ack_p99_ms: h.ackMs.p99, ack_max_ms: h.ackMs.max, accepted: h.accepted, duplicates: h.duplicates, rejected: h.rejected,
  };
}
