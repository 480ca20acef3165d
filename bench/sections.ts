import { PAGE_TARGET_MS } from './pages';
import type { Report } from './report';
import { STEADY_RULE_TEXT } from './steady';
import { fmtInt, fmtMs, fmtRatio, table } from './stats';
import { TARGETS } from './targets';

/** The report's sections for the HTTP phases, steadiness, memory, mixed load and page loads. */

export function httpTable(r: Report): string {
  return [
    'HTTP phases, one server: the first half of the NDJSON with 1 client, then the second half with 4 clients, so the server holds all N events for the KPI phase.',
    '',
    table(
      ['clients', 'lines', 'events', 'seconds', 'events/s', 'vs raw', 'requests', 'body MiB', 'retries (429/503)', 'ack p50 ms', 'ack p99 ms', 'ack max ms', 'accepted', 'rejected'],
      r.http.map((h) => [
        String(h.clients), h.lines, fmtInt(h.events), h.seconds.toFixed(1), fmtInt(h.events_per_s), fmtRatio(h.vs_raw), fmtInt(h.requests), h.body_mib,
        fmtInt(h.retries), fmtMs(h.ack_p50_ms), fmtMs(h.ack_p99_ms), fmtMs(h.ack_max_ms), fmtInt(h.accepted), fmtInt(h.rejected),
      ]),
    ),
  ].join('\n');
}

export function steadyTable(r: Report): string {
  const rows = r.ingest.filter((i) => i.steady);
  return [
    `Steady from start to end: each run's time cut into ten equal slices, events/s of each (${STEADY_RULE_TEXT}). ` +
      'CLI points: its progress line on stderr (every 5 s); HTTP points: every acknowledgement.',
    '',
    table(
      ['path', 'first tenth events/s', 'last tenth events/s', 'last / first', 'slowest tenth', 'fastest tenth', 'points', 'steady'],
      rows.map((i) => {
        const s = i.steady!;
        return [i.path, fmtInt(s.first_per_s), fmtInt(s.last_per_s), fmtRatio(s.last_vs_first), fmtInt(s.min_decile_per_s), fmtInt(s.max_decile_per_s), String(s.points),
          s.steady === null ? `n/a (${s.note})` : s.steady ? 'yes' : 'no'];
      }),
    ),
  ].join('\n');
}

export function memoryLine(r: Report): string {
  const m = r.memory;
  return (
    `Peak RSS (VmHWM, largest process of each tree): CLI while loading ${fmtInt(m.cli_load_mib)} MiB; server while loading over HTTP ${fmtInt(m.server_load_mib)} MiB, ` +
    `after the KPI phase ${fmtInt(m.server_kpi_mib)} MiB; restarted with the defaults, after the page loads and the mixed load ${fmtInt(m.server_defaults_mib)} MiB; ` +
    `server over the whole run ${fmtInt(m.server_max_mib)} MiB (targets: ≤ ${fmtInt(TARGETS.loadRssMiB)} MiB while loading, server ≤ ${fmtInt(TARGETS.serverRssMiB)} MiB).`
  );
}

export function mixedSection(r: Report): string[] {
  const x = r.mixed;
  if (!x) return ['## Mixed load', '', 'Not run (`--mixed-seconds 0`).', ''];
  return [
    '## Mixed load',
    '',
    `${x.users} dashboard users (each calls a summary, KPI or drill-down API every 2–4 s; about 8 requests/s together; test/reliability/mixed.ts's mix) ` +
      `while ${fmtInt(x.events_offered_per_s)} events/s are posted as one ${fmtInt(x.batch_events)}-event batch per second (open loop), for ${x.seconds} s, ` +
      'on the stored data, against the server restarted with the defaults (shared reads on, CT_READ_MAX_AGE_S=2).',
    '',
    table(
      ['', 'n', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'targets'],
      [
        ['dashboard reads', fmtInt(x.reads), fmtInt(x.read_errors), fmtMs(x.read_p50_ms), fmtMs(x.read_p95_ms), fmtMs(x.read_p99_ms), fmtMs(x.read_max_ms), `p95 ≤ ${TARGETS.mixedReadP95Ms}, p99 ≤ ${TARGETS.mixedReadP99Ms}, 0 errors`],
        ['ingest acks', fmtInt(x.batches), fmtInt(x.ack_errors), fmtMs(x.ack_p50_ms), '', fmtMs(x.ack_p99_ms), '', `p99 ≤ ${TARGETS.ackP99Ms}`],
      ],
    ),
    '',
    ...x.notes.map((n) => `- ${n}`),
    '',
  ];
}

export function pagesSection(r: Report): string[] {
  if (!r.pages) return ['## Page loads', '', 'Not run.', ''];
  return [
    '## Page loads',
    '',
    'Chromium (`/usr/bin/chromium`, headless, playwright-core), signed in as a bench-local admin (password user in a scratch users file), ' +
      'against the server restarted with the defaults. Each page of app/(dashboard): 1 cold load (first visit of that page) and 3 warm ones; time from ' +
      'navigation start (the document\'s time origin) until the page\'s data signal is visible and no loading skeleton is left in <main> (cold, warm, median, max: ' +
      'every panel shows its data; the target is judged on the max); "signal visible" is the median time until the signal alone showed. ' +
      `Target ≤ ${PAGE_TARGET_MS} ms. There is no pipeline page in the dashboard (pipeline health is API-only), so it has no row.`,
    '',
    table(
      ['page', 'path', 'data signal', 'signal visible, median ms', 'cold ms', 'warm ms', 'median ms', 'max ms', `≤ ${PAGE_TARGET_MS} ms`],
      r.pages.map((p) => [
        p.page, `\`${p.path}\``, `\`${p.signal}\``, fmtMs(p.signal_median_ms), fmtMs(p.cold_ms), p.warm_ms.map((w) => fmtMs(w)).join(' / '), fmtMs(p.median_ms), fmtMs(p.max_ms),
        p.error ? `MISS (${p.error})` : p.max_ms === null ? '–' : p.max_ms <= PAGE_TARGET_MS ? 'PASS' : 'MISS',
      ]),
    ),
    '',
  ];
}
