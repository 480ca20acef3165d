/**
 * `npm run bench [-- --events N]`: generate N demo events, ingest them through the CLI and through the
 * HTTP API of a server started the way users start it, time every KPI endpoint, and compare each with
 * the raw engine doing the same work (its own NDJSON load; plain SQL on the raw table). Writes
 * bench/report.md and bench/report.json. Scratch data (NDJSON, three stores, logs) lives in a fresh
 * directory under the OS temp dir, removed after a successful run (CT_BENCH_KEEP=1 keeps it).
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateEvents } from './generate';
import { buildProbes } from './kpis';
import { spawnTracked, tail, treePeak } from './procs';
import { growthOf, ingestTable, kpiTable, loadHistory, markdown, targetsOf, targetsTable, type KpiRow, type Report } from './report';
import { httpIngest, kpiLatency, serverPeak, settleServer, startServer } from './server';
import { mib, round } from './stats';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-bench-'));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CLIENTS = 2;
const BODY_BYTES = 8 * 1024 * 1024;

const log = (s: string) => console.error(`[bench] ${s}`);

function argEvents(): number {
  const i = process.argv.indexOf('--events');
  if (i < 0) return 1_000_000;
  const raw = (process.argv[i + 1] ?? '').replace(/[_,]/g, '');
  const n = /^\d+(\.\d+)?[kKmM]?$/.test(raw) ? Number.parseFloat(raw) * ({ k: 1e3, m: 1e6 }[raw.slice(-1).toLowerCase()] ?? 1) : NaN;
  if (!Number.isInteger(n) || n < 1000) throw new Error(`--events: expected an integer ≥ 1000 (e.g. 1000000 or 1m), got "${process.argv[i + 1] ?? ''}"`);
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

async function main() {
  const started = performance.now();
  const loadAtStart = loadAvg();
  const n = argEvents();
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
  const cliTotals = /\{"accepted":(\d+),"duplicates":(\d+),"rejected":(\d+)\}/.exec(fs.readFileSync(cli.logFile, 'utf8'));
  if (cli.code !== 0 || !cliTotals) throw new Error(`CLI ingest failed (exit ${cli.code}); log ${cli.logFile}:\n${tail(cli.logFile)}`);
  phase('cli_ingest');
  log(`CLI: ${Math.round(n / cli.seconds)} events/s, peak RSS ${mib(cli.peak.bytes)} MiB`);

  // 3. raw SQL per KPI on the CLI-loaded store (no server holds it)
  log('raw-SQL baselines on the CLI-loaded store…');
  const rawKpiOut = path.join(OUT, 'raw-kpi.json');
  const rk = await runChild('raw-kpi', [TSX, 'bench/raw-worker.ts', 'kpi', probesFile, rawKpiOut], childEnv(cliDir));
  if (rk.code !== 0) throw new Error(`raw KPI baseline failed; log ${rk.logFile}:\n${tail(rk.logFile)}`);
  phase('raw_kpi');
  const rawKpi = JSON.parse(fs.readFileSync(rawKpiOut, 'utf8')) as {
    settle_seconds: number; parts: number; stored: number; version: string;
    probes: { key: string; statements: number; cold_ms: number | null; p50_ms: number | null; p95_ms: number | null; figure: number | null; error: string | null }[];
  };

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

  // 5. server: HTTP ingest, then KPI latency
  log('starting the server (node scripts/start.mjs)…');
  const server = await startServer(ROOT, path.join(OUT, 'data-server'), path.join(OUT, 'server.log'));
  let report: Report;
  try {
    phase('server_start');
    log(`server healthy at ${server.url} after ${server.readySeconds.toFixed(0)} s${server.built ? ' (built first)' : ''}; posting NDJSON…`);
    const http = await httpIngest(server.url, file, CLIENTS, BODY_BYTES);
    if (http.events !== n) throw new Error(`HTTP ingest sent ${http.events} lines, expected ${n}`);
    const peakIngest = serverPeak(server);
    phase('http_ingest');
    log(`HTTP: ${Math.round(n / http.seconds)} events/s, ack p50 ${http.ackMs.p50?.toFixed(0)} ms p99 ${http.ackMs.p99?.toFixed(0)} ms, server peak ${mib(peakIngest.bytes)} MiB`);
    const settleMs = await settleServer(server);
    phase('server_settle');
    log(`KPI latency over HTTP (settled ${Math.round(settleMs / 1000)} s)…`);
    const timings = await kpiLatency(server.url, probes, log);
    const peak = serverPeak(server);
    phase('kpi_http');

    const kpis: KpiRow[] = probes.map((p) => {
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
    const cliNote = `accepted ${cliTotals[1]}, duplicates ${cliTotals[2]}, rejected ${cliTotals[3]}; wall time of the whole command`;
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
        { path: 'CLI (`npm run ingest`)', seconds: round(cli.seconds, 1), events_per_s: Math.round(n / cli.seconds), vs_raw: round(n / cli.seconds / rawRate, 3), peak_rss_mib: mib(cli.peak.bytes), note: cliNote },
        { path: `HTTP POST /api/v1/ingest (${CLIENTS} clients)`, seconds: round(http.seconds, 1), events_per_s: Math.round(n / http.seconds), vs_raw: round(n / http.seconds / rawRate, 3), peak_rss_mib: mib(peakIngest.bytes), note: 'server process peak during ingest' },
        { path: 'raw engine: INSERT … SELECT FROM file(JSONEachRow)', seconds: round(rawLoad.seconds, 1), events_per_s: Math.round(rawRate), vs_raw: null, peak_rss_mib: mib(rl.peak.bytes), note: 'plain MergeTree, same columns and indexes as events; INSERT time only' },
      ],
      http: {
        clients: http.clients, requests: http.requests, retries: http.retries, body_mib: `${http.bodyMiB.min.toFixed(1)}–${http.bodyMiB.max.toFixed(1)}`,
        ack_p50_ms: http.ackMs.p50, ack_p99_ms: http.ackMs.p99, ack_max_ms: http.ackMs.max,
        accepted: http.accepted, duplicates: http.duplicates, rejected: http.rejected,
      },
      server: {
        built: server.built, ready_seconds: round(server.readySeconds, 0), settle_seconds: round(settleMs / 1000, 0),
        peak_rss_ingest_mib: mib(peakIngest.bytes), peak_rss_mib: mib(peak.bytes), peak_process: `${peak.name} (pid ${peak.pid})`,
      },
      raw_store: { parts: rawKpi.parts, stored: rawKpi.stored, settle_seconds: round(rawKpi.settle_seconds, 0) },
      kpis,
      growth: null,
      history: {},
    };
    const history = loadHistory(path.join(ROOT, 'bench', 'report.json'));
    history[String(n)] = {
      date: partial.date,
      events: n,
      kpi: Object.fromEntries(kpis.map((k) => [k.key, { p50_ms: k.p50_ms, p95_ms: k.p95_ms }])),
      ingest_events_per_s: Object.fromEntries(partial.ingest.map((i) => [i.path, i.events_per_s])),
      server_peak_rss_mib: mib(peak.bytes),
    };
    partial.history = history;
    partial.growth = growthOf(history);
    partial.total_seconds = round((performance.now() - started) / 1000, 0);
    report = { ...partial, targets: targetsOf(partial) };
  } finally {
    await server.proc.stop();
    server.proc.stopPolling();
  }

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
