/**
 * `npm run bench [-- --events N] [--mixed-seconds S] [--skip-raw-kpi]`: generate N demo events, ingest them through the CLI
 * and through the HTTP API of a server started the way users start it (first half 1 client, second half
 * 4 clients), time every KPI endpoint computed (shared reads off), then restart the server with the
 * defaults and measure the dashboard pages in Chromium and issue 15's mixed load (S seconds, default 300;
 * 0 skips it). --skip-raw-kpi skips the raw-SQL KPI baselines (their columns then stay empty). Each is compared with the raw engine doing the same work where there is one (its own NDJSON
 * load; plain SQL on the raw table). Writes bench/report.md and bench/report.json. Scratch data (NDJSON,
 * stores, logs, the bench users file) lives in a fresh directory under the OS temp dir, removed after a
 * successful run (CT_BENCH_KEEP=1 keeps it).
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { httpPhase, kpiRows, type RawKpi } from './assemble';
import { generateEvents } from './generate';
import { httpIngest } from './http-ingest';
import { buildProbes } from './kpis';
import { mixedLoad } from './mixed-load';
import { benchUsers, dashboardPages, pageLoads } from './pages';
import { spawnTracked, tail, treePeak } from './procs';
import { REASONS_AS_OF } from './reasons';
import { growthOf, ingestTable, kpiTable, loadHistory, markdown, targetsTable, type Report } from './report';
import { kpiLatency, serverPeak, settleServer, startServer, type Server } from './server';
import { mib, round } from './stats';
import { cliProgress, steadiness } from './steady';
import { targetsOf } from './targets';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-bench-'));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const BODY_BYTES = 8 * 1024 * 1024;

const log = (s: string) => console.error(`[bench] ${s}`);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : (process.argv[i + 1] ?? '');
}

function argEvents(): number {
  const v = arg('--events');
  if (v === undefined) return 1_000_000;
  const raw = v.replace(/[_,]/g, '');
  const n = /^\d+(\.\d+)?[kKmM]?$/.test(raw) ? Number.parseFloat(raw) * ({ k: 1e3, m: 1e6 }[raw.slice(-1).toLowerCase()] ?? 1) : NaN;
  if (!Number.isInteger(n) || n < 1000) throw new Error(`--events: expected an integer ≥ 1000 (e.g. 1000000 or 1m), got "${v}"`);
  return n;
}

function argMixedSeconds(): number {
  const v = arg('--mixed-seconds');
  if (v === undefined) return 300;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--mixed-seconds: expected a whole number of seconds ≥ 0, got "${v}"`);
  return n;
}

const loadAvg = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' / ');

function machine(loadAtStart: string): Record<string, string | number> {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const chdbPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'chdb', 'package.json'), 'utf8')) as { version: string };
  return {
    nproc: Number(execSync('nproc').toString().trim()),
    cpu,
    memory_gib: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    chdb_npm: chdbPkg.version,
    // Other work on the machine skews every figure: the 1/5/15-minute load averages say how much there was.
    load_avg_at_start: loadAtStart,
    load_avg_at_end: loadAvg(),
  };
}

/** Runs a bench child to completion; returns wall seconds and the tree's peak RSS. */
async function runChild(name: string, args: string[], env: NodeJS.ProcessEnv) {
  const logFile = path.join(OUT, `${name}.log`);
  const t0 = performance.now();
  const proc = spawnTracked(process.execPath, args, { cwd: ROOT, env, logFile });
  const code = await proc.exited;
  const seconds = (performance.now() - t0) / 1000;
  proc.stopPolling();
  return { code, seconds, peak: treePeak(proc), logFile };
}

const childEnv = (dataDir: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, CT_DATA_DIR: dataDir, CT_DEMO: '0' };
  for (const k of ['CLICKHOUSE_URL', 'CLICKHOUSE_CLUSTER', 'CT_INGEST_TOKEN', 'CT_FORCE_RAW', 'CT_CONFIG_FILE'] as const) delete env[k];
  return env;
};

/** A clean shutdown (generous grace): the restart on the same store should not start with a crash repair. */
async function stopServer(server: Server): Promise<void> {
  await server.proc.stop(30_000);
  server.proc.stopPolling();
}

async function main() {
  const started = performance.now();
  const loadAtStart = loadAvg();
  const n = argEvents();
  const mixedSeconds = argMixedSeconds();
  const skipRawKpi = process.argv.includes('--skip-raw-kpi');
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    phases[name] = round((performance.now() - mark) / 1000, 1);
    mark = performance.now();
  };
  log(`scratch directory ${OUT}`);
  const file = path.join(OUT, 'events.ndjson');

  // 1. data
  const gen = await generateEvents(n, file, log);
  log(`wrote ${file}: ${(gen.bytes / 1048576).toFixed(0)} MiB in ${gen.seconds.toFixed(1)} s (${gen.cutOff} generated events past N dropped)`);
  phase('generate');
  const probes = buildProbes(gen.endMs, gen.correlationId);
  if (!gen.correlationId) throw new Error('no order correlation with an exception in the generated data: raise --events');
  const probesFile = path.join(OUT, 'probes.json');
  fs.writeFileSync(probesFile, JSON.stringify({ endMs: gen.endMs, correlationId: gen.correlationId }));

  // 2. CLI ingest into a fresh store
  log('ingesting through the CLI (npm run ingest)…');
  const cliDir = path.join(OUT, 'data-cli');
  const cli = await runChild('cli', [TSX, 'ingest/cli.ts', file], childEnv(cliDir));
  const cliLog = fs.readFileSync(cli.logFile, 'utf8');
  const cliTotals = /\{"accepted":(\d+),"duplicates":(\d+),"rejected":(\d+)\}/.exec(cliLog);
  if (cli.code !== 0 || !cliTotals) throw new Error(`CLI ingest failed (exit ${cli.code}); log ${cli.logFile}:\n${tail(cli.logFile)}`);
  phase('cli_ingest');
  log(`CLI: ${Math.round(n / cli.seconds)} events/s, peak RSS ${mib(cli.peak.bytes)} MiB`);

  // 3. raw SQL per KPI on the CLI-loaded store (no server holds it); --skip-raw-kpi saves its time (12 min at 10M)
  let rawKpi: RawKpi = { settle_seconds: 0, parts: 0, stored: 0, version: '', probes: [] };
  if (skipRawKpi) {
    log('raw-SQL baselines skipped (--skip-raw-kpi)');
  } else {
    log('raw-SQL baselines on the CLI-loaded store…');
    const rawKpiOut = path.join(OUT, 'raw-kpi.json');
    const rk = await runChild('raw-kpi', [TSX, 'bench/raw-worker.ts', 'kpi', probesFile, rawKpiOut], childEnv(cliDir));
    if (rk.code !== 0) throw new Error(`raw KPI baseline failed; log ${rk.logFile}:\n${tail(rk.logFile)}`);
    phase('raw_kpi');
    rawKpi = JSON.parse(fs.readFileSync(rawKpiOut, 'utf8')) as RawKpi;
  }

  // 4. the engine's own load of the same NDJSON into a fresh store
  log('raw engine load of the same NDJSON…');
  const rawLoadOut = path.join(OUT, 'raw-load.json');
  const rl = await runChild('raw-load', [TSX, 'bench/raw-worker.ts', 'load', file, rawLoadOut], childEnv(path.join(OUT, 'data-raw')));
  if (rl.code !== 0) throw new Error(`raw engine load failed; log ${rl.logFile}:\n${tail(rl.logFile)}`);
  const rawLoad = JSON.parse(fs.readFileSync(rawLoadOut, 'utf8')) as { seconds: number; rows: number; version: string };
  if (rawLoad.rows !== n) throw new Error(`raw engine loaded ${rawLoad.rows} rows, expected ${n}`);
  const rawRate = n / rawLoad.seconds;
  phase('raw_load');
  log(`raw load: ${Math.round(rawRate)} events/s`);

  // 5. server, reads computed (CT_READ_MAX_AGE_S=0): HTTP ingest (half with 1 client, half with 4), then KPI latency
  const serverDir = path.join(OUT, 'data-server');
  const users = benchUsers(OUT);
  log('starting the server (node scripts/start.mjs, CT_READ_MAX_AGE_S=0)…');
  const server = await startServer(ROOT, serverDir, path.join(OUT, 'server.log'), { CT_READ_MAX_AGE_S: '0', ...users.env });
  const half = Math.floor(n / 2);
  let http1, http4, peakIngest, settleMs, timings, peakKpi;
  try {
    phase('server_start');
    log(`server healthy at ${server.url} after ${server.readySeconds.toFixed(0)} s${server.built ? ' (built first)' : ''}; posting lines 1–${half} with 1 client…`);
    http1 = await httpIngest(server.url, file, { clients: 1, targetBytes: BODY_BYTES, from: 0, to: half });
    phase('http_ingest_1');
    log(`HTTP 1 client: ${Math.round(http1.events / http1.seconds)} events/s; posting lines ${half + 1}–${n} with 4 clients…`);
    http4 = await httpIngest(server.url, file, { clients: 4, targetBytes: BODY_BYTES, from: half, to: n });
    phase('http_ingest_4');
    if (http1.events + http4.events !== n) throw new Error(`HTTP ingest sent ${http1.events + http4.events} lines, expected ${n}`);
    peakIngest = serverPeak(server);
    log(`HTTP 4 clients: ${Math.round(http4.events / http4.seconds)} events/s; server peak ${mib(peakIngest.bytes)} MiB`);
    settleMs = await settleServer(server);
    phase('server_settle');
    log(`KPI latency over HTTP, computed (settled ${Math.round(settleMs / 1000)} s)…`);
    timings = await kpiLatency(server.url, probes, log);
    peakKpi = serverPeak(server);
    phase('kpi_http');
  } finally {
    await stopServer(server);
  }

  // 6. the same store, restarted as users get it (shared reads on): page loads in Chromium, then the mixed load
  log('restarting the server with the defaults (shared reads on)…');
  const server2 = await startServer(ROOT, serverDir, path.join(OUT, 'server-defaults.log'), users.env);
  let pages, mixed;
  try {
    await settleServer(server2);
    phase('server_restart');
    log('page loads in Chromium…');
    const pageBase = server2.url.replace('127.0.0.1', 'localhost'); // NEXTAUTH_URL's host, for the session cookie
    pages = await pageLoads(pageBase, users, dashboardPages('DC-ATL', gen.correlationId), log);
    phase('page_loads');
    if (mixedSeconds > 0) {
      log(`mixed load for ${mixedSeconds} s…`);
      mixed = await mixedLoad(server2.url, mixedSeconds, (s) => log(s.trim()));
      phase('mixed_load');
    }
  } finally {
    await stopServer(server2);
  }
  const peakDefaults = treePeak(server2.proc);

  const kpis = kpiRows(probes, timings, rawKpi);
  const cliNote = `accepted ${cliTotals[1]}, duplicates ${cliTotals[2]}, rejected ${cliTotals[3]}; wall time of the whole command`;
  const h1 = httpPhase('http-1', http1, `1–${half}`, rawRate);
  const h4 = httpPhase('http-4', http4, `${half + 1}–${n}`, rawRate);
  const serverMax = Math.max(peakKpi.bytes, peakDefaults.bytes);
  const partial: Omit<Report, 'targets'> = {
    date: new Date().toISOString(),
    events: n,
    total_seconds: 0,
    phases,
    machine: { ...machine(loadAtStart), chdb_engine: rawLoad.version },
    data: {
      generator: 'ingest/demo.ts generateDemo (8 warehouses)',
      days: gen.days, scale: round(gen.scale, 3), from: new Date(gen.startMs).toISOString(), to: new Date(gen.endMs).toISOString(),
      ndjson_mib: mib(gen.bytes), generated_past_n_and_dropped: gen.cutOff, drill_down_probe: gen.correlationId,
    },
    ingest: [
      { id: 'cli', path: 'CLI (`npm run ingest`)', events: n, seconds: round(cli.seconds, 1), events_per_s: Math.round(n / cli.seconds), vs_raw: round(n / cli.seconds / rawRate, 3), peak_rss_mib: mib(cli.peak.bytes), note: cliNote, steady: steadiness(cliProgress(cliLog)) },
      { id: 'http-1', path: 'HTTP POST /api/v1/ingest (1 client)', events: h1.events, seconds: h1.seconds, events_per_s: h1.events_per_s, vs_raw: h1.vs_raw, peak_rss_mib: null, note: `lines ${h1.lines}; ack p50 ${Math.round(h1.ack_p50_ms ?? 0)} ms, p99 ${Math.round(h1.ack_p99_ms ?? 0)} ms`, steady: steadiness(http1.timeline) },
      { id: 'http-4', path: 'HTTP POST /api/v1/ingest (4 clients)', events: h4.events, seconds: h4.seconds, events_per_s: h4.events_per_s, vs_raw: h4.vs_raw, peak_rss_mib: mib(peakIngest.bytes), note: `lines ${h4.lines}; ack p50 ${Math.round(h4.ack_p50_ms ?? 0)} ms, p99 ${Math.round(h4.ack_p99_ms ?? 0)} ms; peak RSS = server over both HTTP phases`, steady: steadiness(http4.timeline) },
      { id: 'raw', path: 'raw engine: INSERT … SELECT FROM file(JSONEachRow)', events: n, seconds: round(rawLoad.seconds, 1), events_per_s: Math.round(rawRate), vs_raw: null, peak_rss_mib: mib(rl.peak.bytes), note: 'plain MergeTree, same columns and indexes as events; INSERT time only', steady: null },
    ],
    http: [h1, h4],
    server: {
      built: server.built, ready_seconds: round(server.readySeconds, 0), settle_seconds: round(settleMs / 1000, 0),
      peak_rss_ingest_mib: mib(peakIngest.bytes), peak_rss_mib: mib(peakKpi.bytes), peak_process: `${peakKpi.name} (pid ${peakKpi.pid})`,
      restart_ready_seconds: round(server2.readySeconds, 0),
    },
    memory: { cli_load_mib: mib(cli.peak.bytes), server_load_mib: mib(peakIngest.bytes), server_kpi_mib: mib(peakKpi.bytes), server_defaults_mib: mib(peakDefaults.bytes), server_max_mib: mib(serverMax) },
    mixed: mixed ?? null,
    pages: pages ?? null,
    raw_store: skipRawKpi ? { skipped: 'yes' } : { parts: rawKpi.parts, stored: rawKpi.stored, settle_seconds: round(rawKpi.settle_seconds, 0) },
    kpis,
    growth: null,
    history: {},
    reasons_as_of: REASONS_AS_OF,
  };
  const history = loadHistory(path.join(ROOT, 'bench', 'report.json'));
  history[String(n)] = {
    date: partial.date,
    events: n,
    kpi: Object.fromEntries(kpis.map((k) => [k.key, { p50_ms: k.p50_ms, p95_ms: k.p95_ms }])),
    ingest_events_per_s: Object.fromEntries(partial.ingest.map((i) => [i.path, i.events_per_s])),
    server_peak_rss_mib: mib(serverMax),
  };
  partial.history = history;
  partial.growth = growthOf(history);
  partial.total_seconds = round((performance.now() - started) / 1000, 0);
  const report: Report = { ...partial, targets: targetsOf(partial) };

  fs.writeFileSync(path.join(ROOT, 'bench', 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(ROOT, 'bench', 'report.md'), markdown(report));
  console.log(['', targetsTable(report), '', ingestTable(report), '', kpiTable(report), ''].join('\n'));
  if (process.env.CT_BENCH_KEEP === '1') log(`scratch kept in ${OUT}`);
  else fs.rmSync(OUT, { recursive: true, force: true });
  log(`done in ${report.total_seconds} s: bench/report.md, bench/report.json`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\n[bench] FAILED: ${err instanceof Error ? err.message : String(err)}\n[bench] logs and data kept in ${OUT}`);
    process.exit(1);
  },
);
