import { PAGE_TARGET_MS } from './pages';
import { reasonFor } from './reasons';
import type { Report, TargetRow } from './report';
import { STEADY_RULE } from './steady';
import { fmtInt, fmtMs, fmtRatio } from './stats';

/**
 * Every target of issue 15 (reads) and issue 16 (ingest), one row each (the "every KPI endpoint" target
 * one row per endpoint, since each misses for its own reason), judged on this run's figures.
 */
export const TARGETS = {
  ingestPerS: 150_000,
  ingestVsRaw: 0.35,
  kpiVsRaw: 1.5,
  kpiP95Ms: 100,
  summaryP95Ms: 250,
  growth: 1.3,
  serverRssMiB: 1536,
  loadRssMiB: 1024,
  mixedReadP95Ms: 300,
  mixedReadP99Ms: 1000,
  ackP99Ms: 500,
} as const;

/** The p95 target of one endpoint: the summary composes every KPI and has its own. */
export const p95TargetMs = (endpoint: string): number => (endpoint.includes('summary') ? TARGETS.summaryP95Ms : TARGETS.kpiP95Ms);

const pf = (ok: boolean): 'PASS' | 'MISS' => (ok ? 'PASS' : 'MISS');

export function targetsOf(r: Omit<Report, 'targets'>): TargetRow[] {
  const out: TargetRow[] = [];
  const at = r.events === 10_000_000 ? '' : ` (stated for 10M; this run ${fmtInt(r.events)})`;
  const add = (id: string, issue: string, name: string, target: string, measured: string, result: TargetRow['result']) =>
    out.push({ id, issue, name, target, measured, result, why: result === 'MISS' ? reasonFor(id) : '' });

  // Issue 16: ingest rate, steadiness, memory while loading.
  const ingestAt = r.events === 1_000_000 || r.events === 10_000_000 ? '' : ` (stated for 1M and 10M; this run ${fmtInt(r.events)})`;
  for (const i of r.ingest.filter((x) => x.id !== 'raw')) {
    add(`ingest-${i.id}`, '16', `ingest ${i.path}${ingestAt}`, `≥ ${fmtInt(TARGETS.ingestPerS)} events/s (≈ ${TARGETS.ingestVsRaw}× raw)`,
      `${fmtInt(i.events_per_s)} events/s (${fmtRatio(i.vs_raw)} raw)`, pf(i.events_per_s >= TARGETS.ingestPerS));
  }
  for (const i of r.ingest.filter((x) => x.id !== 'raw')) {
    const s = i.steady;
    add(`steady-${i.id}`, '16', `ingest ${i.path} steady from start to end`, `last tenth ≥ ${STEADY_RULE} × first tenth`,
      s?.steady === null || !s ? `n/a (${s?.note ?? 'no progress'})` : `${fmtInt(s.last_per_s)} vs ${fmtInt(s.first_per_s)} events/s (${fmtRatio(s.last_vs_first)})`,
      s?.steady === null || !s ? 'n/a' : pf(s.steady));
  }
  const m = r.memory;
  add('rss-load-cli', '16', `CLI peak RSS while loading${at}`, `≤ ${fmtInt(TARGETS.loadRssMiB)} MiB`, `${fmtInt(m.cli_load_mib)} MiB`, pf(m.cli_load_mib <= TARGETS.loadRssMiB));
  add('rss-load-server', '16', `server peak RSS during HTTP ingest${at}`, `≤ ${fmtInt(TARGETS.loadRssMiB)} MiB`, `${fmtInt(m.server_load_mib)} MiB`, pf(m.server_load_mib <= TARGETS.loadRssMiB));

  // Issue 15: KPI p95 per endpoint (worst window), summary, pipeline, drill-down.
  const byEndpoint = new Map<string, Report['kpis']>();
  for (const k of r.kpis) byEndpoint.set(k.endpoint, [...(byEndpoint.get(k.endpoint) ?? []), k]);
  for (const [endpoint, rows] of byEndpoint) {
    const id = endpoint === '/kpi/summary' ? 'summary-p95' : endpoint === '/pipeline/health' ? 'pipeline-p95' : endpoint.startsWith('/correlations') ? 'drilldown-p95' : `kpi-p95:${endpoint}`;
    const limit = p95TargetMs(endpoint);
    const ok = rows.every((k) => k.status === 'ok' && k.p95_ms !== null && k.p95_ms <= limit);
    const measured = rows.map((k) => (k.status === 'ok' ? `${rows.length > 1 ? `${k.window} ` : ''}${fmtMs(k.p95_ms)} ms` : `${k.window} ${k.status}`)).join(' · ');
    add(id, '15', `${endpoint} p95 over HTTP${at}`, `≤ ${limit} ms`, measured, pf(ok));
  }
  const g = r.growth?.filter((x) => x.factor !== null) ?? [];
  const worst = [...g].sort((a, b) => (b.factor ?? 0) - (a.factor ?? 0)).slice(0, 3);
  add('growth', '15', 'KPI p95 growth from 1M to 10M events', `every endpoint ≤ ${TARGETS.growth}×`,
    g.length ? `${g.filter((x) => (x.factor ?? Infinity) <= TARGETS.growth).length} of ${g.length} (worst ${worst.map((w) => `${w.key} ${fmtRatio(w.factor)}`).join(', ')})` : 'needs a 1M and a 10M run on record',
    g.length ? pf(g.every((x) => (x.factor ?? Infinity) <= TARGETS.growth)) : 'n/a');

  const x = r.mixed;
  const mixedName = (what: string) => `mixed load${x ? ` (${x.users} users + ${fmtInt(x.events_offered_per_s)} events/s for ${x.seconds} s)` : ''}: ${what}`;
  if (x) {
    add('mixed-read-p95', '15', mixedName('read p95'), `≤ ${TARGETS.mixedReadP95Ms} ms`, `${fmtMs(x.read_p95_ms)} ms`, pf(x.read_p95_ms <= TARGETS.mixedReadP95Ms));
    add('mixed-read-p99', '15', mixedName('read p99'), `≤ ${TARGETS.mixedReadP99Ms} ms`, `${fmtMs(x.read_p99_ms)} ms`, pf(x.read_p99_ms <= TARGETS.mixedReadP99Ms));
    add('mixed-errors', '15', mixedName('errors'), '0', `${x.read_errors + x.ack_errors} of ${fmtInt(x.reads + x.batches)}`, pf(x.read_errors + x.ack_errors === 0));
    add('mixed-ack-p99', '15, 16', mixedName(`ingest ack p99 (${fmtInt(x.batch_events)}-event batches)`), `≤ ${TARGETS.ackP99Ms} ms`, `${fmtMs(x.ack_p99_ms)} ms`, pf(x.ack_p99_ms <= TARGETS.ackP99Ms));
  } else {
    add('mixed', '15, 16', 'mixed load', 'read p95 ≤ 300 ms, p99 ≤ 1 s, 0 errors, ack p99 ≤ 500 ms', 'not run (--mixed-seconds 0)', 'n/a');
  }
  add('server-rss', '15', `server peak RSS over the whole run${at}`, `≤ ${fmtInt(TARGETS.serverRssMiB)} MiB`, `${fmtInt(m.server_max_mib)} MiB`, pf(m.server_max_mib <= TARGETS.serverRssMiB));
  if (r.pages) {
    const measured = r.pages.filter((p) => p.max_ms !== null);
    const ok = r.pages.filter((p) => !p.error && p.max_ms !== null && p.max_ms <= PAGE_TARGET_MS);
    const slow = [...measured].sort((a, b) => (b.max_ms ?? 0) - (a.max_ms ?? 0)).slice(0, 3);
    add('page-loads', '15', `dashboard page loads in Chromium, max of 1 cold + 3 warm${at}`, `every page ≤ ${PAGE_TARGET_MS} ms`,
      `${ok.length} of ${r.pages.length} (slowest ${slow.map((p) => `${p.page} ${fmtMs(p.max_ms)} ms`).join(', ')})`, pf(ok.length === r.pages.length));
  } else {
    add('page-loads', '15', 'dashboard page loads in Chromium', `every page ≤ ${PAGE_TARGET_MS} ms`, 'not run', 'n/a');
  }
  return out;
}
