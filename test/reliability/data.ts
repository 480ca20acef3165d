import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { generateDemo } from '@/ingest/demo';
import { get } from './client';
import { ROOT } from './server';

/** The deterministic demo month, as NDJSON request bodies of `batchSize` lines each. */
export function demoBatches(opts: { endMs: number; scale: number; batchSize: number; days?: number }): { batches: Buffer[]; events: number } {
  const batches: Buffer[] = [];
  let lines: string[] = [];
  let events = 0;
  for (const ev of generateDemo({ endMs: opts.endMs, scale: opts.scale, days: opts.days })) {
    lines.push(JSON.stringify(ev));
    events++;
    if (lines.length === opts.batchSize) {
      batches.push(Buffer.from(lines.join('\n') + '\n'));
      lines = [];
    }
  }
  if (lines.length) batches.push(Buffer.from(lines.join('\n') + '\n'));
  return { batches, events };
}

/** A fresh sync.message: what a live feed sends, unique per (prefix, n). */
export function liveEvent(prefix: string, n: number, nowMs: number): Record<string, unknown> {
  const wh = ['DC-ATL', 'DC-DAL', 'DC-CHI', 'DC-LAX'][n % 4]!;
  return {
    event_id: `${prefix}-${n}`,
    type: 'sync.message',
    occurred_at: new Date(nowMs - 60_000).toISOString(),
    observed_at: new Date(nowMs - 30_000 + (n % 50) * 100).toISOString(),
    source_system: 'WMS',
    target_system: 'ERP',
    warehouse_id: wh,
    correlation_id: `${prefix}-C-${Math.floor(n / 3)}`,
    workflow: 'order_to_cash',
    attributes: { status: n % 97 === 0 ? 'failed' : 'delivered', interface: 'pick_events', attempt: 1 },
  };
}

/**
 * Every KPI and list a dashboard shows, pinned to fixed times so two stores loaded with the same
 * events answer identically. Ingest-time views (pipeline health) are left out on purpose: they
 * count the resends, which is their job.
 */
export function kpiPaths(endMs: number, days = 30): string[] {
  const to = new Date(endMs).toISOString();
  const from = new Date(endMs - days * 86_400_000).toISOString();
  const win = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const asOf = `as_of=${encodeURIComponent(to)}`;
  const period = new Date(endMs - 86_400_000).toISOString().slice(0, 7);
  return [
    `/api/v1/kpi/sync-lag?${win}`,
    `/api/v1/kpi/sync-lag/series?${win}`,
    `/api/v1/kpi/sync-lag/breakdown?${win}`,
    `/api/v1/kpi/exception-aging?${asOf}&${win}`,
    `/api/v1/kpi/invoice-latency?${win}&${asOf}`,
    `/api/v1/kpi/invoice-latency/unposted?${asOf}&limit=500`,
    `/api/v1/kpi/drift?${asOf}`,
    `/api/v1/kpi/drift/skus?${asOf}&limit=500`,
    `/api/v1/kpi/close-readiness?period=${period}&${asOf}`,
    `/api/v1/kpi/summary?${win}`,
  ];
}

export async function kpiSnapshot(base: string, paths: string[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const p of paths) {
    const a = await get(base, p, 120_000);
    if (a.status !== 200) throw new Error(`${p}: ${a.status} ${a.text.slice(0, 200)}`);
    out.set(p, a.body);
  }
  return out;
}

/** Paths (endpoint + JSON path) where two snapshots differ; empty when equal. */
export function diffSnapshots(a: Map<string, unknown>, b: Map<string, unknown>, limit = 20): string[] {
  const diffs: string[] = [];
  const walk = (x: unknown, y: unknown, at: string) => {
    if (diffs.length >= limit) return;
    if (typeof x !== typeof y || Array.isArray(x) !== Array.isArray(y) || (x === null) !== (y === null)) {
      diffs.push(`${at}: ${JSON.stringify(x)?.slice(0, 80)} ≠ ${JSON.stringify(y)?.slice(0, 80)}`);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) diffs.push(`${at}: length ${x.length} ≠ ${y.length}`);
      for (let i = 0; i < Math.min(x.length, y.length); i++) walk(x[i], y[i], `${at}[${i}]`);
      return;
    }
    if (x && typeof x === 'object' && y && typeof y === 'object') {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${at}.${k}`);
      return;
    }
    if (x !== y) diffs.push(`${at}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
  };
  for (const [k, v] of a) walk(v, b.get(k), k.split('?')[0]!);
  return diffs;
}

export interface StoreCounts {
  /** Rows in `events` as stored (no FINAL): a second copy of an event_id would show here. */
  rows: number;
  distinct: number;
  lookup: number;
  rejected: number;
  /** Parts the engine refused to load (detached as broken) after the crash. */
  brokenParts: number;
}

/**
 * Opens a stopped server's data directory in a child process (one engine per process) and counts.
 * The server must be stopped: the embedded engine holds a lock on its directory.
 */
export function inspectStore(dataDir: string): StoreCounts {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'test', 'reliability', 'inspect-store.ts')], {
    cwd: ROOT,
    env: { ...process.env, CT_DATA_DIR: dataDir, CLICKHOUSE_URL: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as StoreCounts;
  } catch {
    throw new Error(`inspect-store failed (${r.status}): ${r.stderr.slice(-1000)}`);
  }
}
