import fs from 'node:fs';
import { CALLS_WARM } from './kpis';
import type { MixedFigures } from './mixed-load';
import type { PageLoad } from './pages';
import { httpTable, memoryLine, mixedSection, pagesSection, steadyTable } from './sections';
import type { Steadiness } from './steady';
import { fmtInt, fmtMs, fmtRatio, round, table } from './stats';
import { p95TargetMs, TARGETS } from './targets';

/** The bench's results as JSON (for machines and the next run) and as Markdown (for people). */

export interface KpiRow {
  key: string;
  endpoint: string;
  window: string;
  status: 'ok' | 'not available' | 'error';
  cold_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  raw_statements: number;
  raw_cold_ms: number | null;
  raw_p50_ms: number | null;
  raw_p95_ms: number | null;
  ratio_p50: number | null;
  ratio_p95: number | null;
  figure_name: string;
  figure: number | null;
  raw_figure: number | null;
  error: string | null;
}

export interface IngestRow {
  id: 'cli' | 'http-1' | 'http-4' | 'raw';
  path: string;
  events: number;
  seconds: number;
  events_per_s: number;
  vs_raw: number | null;
  peak_rss_mib: number | null;
  note: string;
  steady: Steadiness | null;
}

export interface HttpPhase {
  id: 'http-1' | 'http-4';
  clients: number;
  lines: string;
  events: number;
  seconds: number;
  events_per_s: number;
  vs_raw: number;
  requests: number;
  retries: number;
  body_mib: string;
  ack_p50_ms: number | null;
  ack_p99_ms: number | null;
  ack_max_ms: number | null;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface TargetRow {
  id: string;
  issue: string;
  name: string;
  target: string;
  measured: string;
  result: 'PASS' | 'MISS' | 'n/a';
  /** The analysis on record (bench/reasons.ts) for a MISS. */
  why: string;
}

export interface HistoryEntry {
  date: string;
  events: number;
  kpi: Record<string, { p50_ms: number | null; p95_ms: number | null }>;
  ingest_events_per_s: Record<string, number>;
  server_peak_rss_mib: number | null;
}

export interface Report {
  date: string;
  events: number;
  total_seconds: number;
  /** Wall seconds per bench phase. */
  phases: Record<string, number>;
  machine: Record<string, string | number>;
  data: Record<string, string | number>;
  ingest: IngestRow[];
  http: HttpPhase[];
  server: Record<string, number | string | boolean | null>;
  memory: { cli_load_mib: number; server_load_mib: number; server_kpi_mib: number; server_defaults_mib: number; server_max_mib: number };
  mixed: MixedFigures | null;
  pages: PageLoad[] | null;
  raw_store: Record<string, number | string>;
  kpis: KpiRow[];
  targets: TargetRow[];
  reasons_as_of: string;
  growth: { key: string; small_p95_ms: number | null; large_p95_ms: number | null; factor: number | null }[] | null;
  history: Record<string, HistoryEntry>;
}

export function loadHistory(file: string): Record<string, HistoryEntry> {
  try {
    const prev = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Report>;
    return prev.history ?? {};
  } catch {
    return {}; // first run, or an unreadable report: start a new history
  }
}

/** KPI growth from 1M to 10M events (the issue's target), once both sizes are on record. */
export function growthOf(history: Record<string, HistoryEntry>): Report['growth'] {
  const small = history['1000000'];
  const large = history['10000000'];
  if (!small || !large) return null;
  return Object.keys(large.kpi).map((key) => {
    const s = small.kpi[key]?.p95_ms ?? null;
    const l = large.kpi[key]?.p95_ms ?? null;
    return { key, small_p95_ms: s, large_p95_ms: l, factor: s && l ? round(l / s, 2) : null };
  });
}

const pf = (ok: boolean): 'PASS' | 'MISS' => (ok ? 'PASS' : 'MISS');

export function kpiTable(r: Report): string {
  return table(
    ['endpoint', 'window', 'cold ms', 'p50 ms', 'p95 ms', 'raw cold', 'raw p50', 'raw p95', 'ratio p50', 'ratio p95', `≤ ${TARGETS.kpiVsRaw}×`, `p95 ≤ ${TARGETS.kpiP95Ms}`, 'same answer'],
    r.kpis.map((k) => {
      if (k.status !== 'ok') return [k.endpoint, k.window, k.status, k.error ?? '', '', '', '', '', '', '', '', '', ''];
      const same = k.figure === null || k.raw_figure === null ? '–' : k.figure === k.raw_figure ? `yes (${k.figure_name})` : `NO: ${k.figure} vs ${k.raw_figure}`;
      return [
        k.endpoint, k.window, fmtMs(k.cold_ms), fmtMs(k.p50_ms), fmtMs(k.p95_ms), fmtMs(k.raw_cold_ms), fmtMs(k.raw_p50_ms), fmtMs(k.raw_p95_ms),
        fmtRatio(k.ratio_p50), fmtRatio(k.ratio_p95),
        k.ratio_p50 === null ? '–' : pf(k.ratio_p50 <= TARGETS.kpiVsRaw),
        k.p95_ms === null ? '–' : pf(k.p95_ms <= p95TargetMs(k.endpoint)),
        same,
      ];
    }),
  );
}

export function ingestTable(r: Report): string {
  return table(
    ['path', 'events', 'seconds', 'events/s', 'vs raw', `≥ ${fmtInt(TARGETS.ingestPerS)}/s`, 'peak RSS MiB', 'notes'],
    r.ingest.map((i) => [
      i.path, fmtInt(i.events), i.seconds.toFixed(1), fmtInt(i.events_per_s), i.vs_raw === null ? '1.00× (baseline)' : fmtRatio(i.vs_raw),
      i.vs_raw === null ? '' : pf(i.events_per_s >= TARGETS.ingestPerS), fmtInt(i.peak_rss_mib), i.note,
    ]),
  );
}

export function targetsTable(r: Report): string {
  return table(['issue', 'target', 'wanted', 'measured', 'result', 'why missed'], r.targets.map((t) => [t.issue, t.name, t.target, t.measured, t.result, t.why]));
}

export function markdown(r: Report): string {
  const m = r.machine;
  const d = r.data;
  const lines = [
    '# Benchmark report',
    '',
    `Generated by \`npm run bench -- --events ${r.events}\` on ${r.date}. Numbers are from one run on this machine; rerun to compare.`,
    '',
    `Whole run: ${Math.round(r.total_seconds)} s (${Object.entries(r.phases).map(([k, v]) => `${k} ${v} s`).join(', ')}).`,
    '',
    '## Machine',
    '',
    table(['', ''], Object.entries(m).map(([k, v]) => [k, String(v)])),
    '',
    '## Data',
    '',
    table(['', ''], Object.entries(d).map(([k, v]) => [k, String(v)])),
    '',
    '## Targets',
    '',
    `Issues 15 (reads) and 16 (ingest), judged on this run. "why missed" is analysis, not measurement: the reasons on record in bench/reasons.ts as of ${r.reasons_as_of}.`,
    '',
    targetsTable(r),
    '',
    '## Ingest',
    '',
    ingestTable(r),
    '',
    'Where ingest time goes (CPU profiles of `npm run ingest`, before and after issue 16): [ingest-profile.md](ingest-profile.md).',
    '',
    httpTable(r),
    '',
    steadyTable(r),
    '',
    memoryLine(r),
    '',
    `Server (\`node scripts/start.mjs\`): ${r.server.built ? 'ran `next build` first (sources newer than the build); ' : ''}healthy after ${r.server.ready_seconds} s; ` +
      `peak RSS ${fmtInt(r.server.peak_rss_ingest_mib as number | null)} MiB after ingest, ${fmtInt(r.server.peak_rss_mib as number | null)} MiB at the end (${r.server.peak_process}); ` +
      `waited ${r.server.settle_seconds} s for background merges before timing KPIs.`,
    '',
    '## KPI latency',
    '',
    `Each endpoint: 1 cold call (its first call since the server started: route module, engine caches and marks for that query not yet loaded), ` +
      `then ${CALLS_WARM} warm calls, sequential, over HTTP with the API token; p50/p95 are over the warm calls. ` +
      'The project answers as it does in production: rollups where lib/kpi/tables.ts chooses them (warehouse_activity, invoice_postings, ' +
      'sync_lag_hourly, sync_lag_daily, sync_messages, pipeline_hourly, exception_state, inventory_latest, flow_transactions, the flow snapshot and its hourly counts, ' +
      'stock_movements, sync_latest), raw events elsewhere. ' +
      'The bench starts this server with CT_READ_MAX_AGE_S=0 (no shared reads), so every call is computed; the mixed load and the page loads run on a restart of it with the defaults (shared reads on, 2 s), as users get it. ' +
      (r.raw_store.skipped
        ? 'The raw-SQL baselines were not run this time (`--skip-raw-kpi`), so the raw and ratio columns are empty.'
        : 'Raw = the plain SQL for the same figures run directly on the raw `events` table, in a separate process on the CLI-loaded store ' +
          `(same data; ${r.raw_store.parts} active parts after ${r.raw_store.settle_seconds} s of merge settling), timed the same way but without HTTP, ` +
          'authentication, response validation or the warehouse listing; ratio = project / raw. "same answer" compares one figure of both answers.'),
    '',
    kpiTable(r),
    '',
    ...mixedSection(r),
    ...pagesSection(r),
  ];
  if (r.growth) {
    lines.push('## Growth', '', table(['endpoint@window', 'p95 at 1M', 'p95 at 10M', 'factor'], r.growth.map((g) => [g.key, fmtMs(g.small_p95_ms), fmtMs(g.large_p95_ms), fmtRatio(g.factor)])), '');
  }
  lines.push(`History on record: ${Object.keys(r.history).map((n) => fmtInt(Number(n))).join(', ')} events.`, '');
  return lines.join('\n');
}
