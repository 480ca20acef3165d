/**
 * Concurrency in the embedded engine (issue 15): `npx tsx bench/lanes.ts [--runs 5]`. Not part of
 * `npm test` or `npm run bench`; prints medians of several runs (the machine may be shared).
 *
 * (a) 8 concurrent cheap queries spread over 1, 2 and 4 chDB connections, bound and unbound: do more
 *     connections (sessions) add concurrency?
 * (b) latency of a cheap interactive read issued while a slow bulk statement runs and 3 more are
 *     queued: first come first served (every statement in one lane) vs the store's scheduler (lanes).
 * (c) latency of an insert (the ingest path, unbound, on the write session) while the slow read runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { z } from 'zod';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-lanes-'));
process.env.CT_DATA_DIR = dir;

const { closeStore, command, embeddedPath, insertRows, p, query, sql, storeScheduler } = await import('@/lib/store');
type Lane = import('@/lib/store').Lane;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
/** Median, then the range over the runs. */
const spread = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

// The "KPI-like" cheap query: an aggregate over a slice of a 5M-row MergeTree table.
await command(sql`CREATE TABLE lanes_probe (w UInt8, ts UInt32, v Float64) ENGINE = MergeTree ORDER BY (w, ts)`);
await command(sql`INSERT INTO lanes_probe SELECT number % 8, number, cityHash64(number) % 1000 FROM numbers(5000000)`);
const CHEAP_BOUND = 'SELECT w, quantileExact(0.95)(v) AS q FROM lanes_probe WHERE ts >= {lo:UInt32} AND ts < {hi:UInt32} GROUP BY w';
const CHEAP_UNBOUND = 'SELECT w, quantileExact(0.95)(v) AS q FROM lanes_probe WHERE ts >= 1000000 AND ts < 2000000 GROUP BY w';

async function fanOut(clients: ClickHouseClient[], bound: boolean, n: number): Promise<number> {
  return timed(() =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const c = clients[i % clients.length]!;
        const rs = bound
          ? await c.query({ query: CHEAP_BOUND, query_params: { lo: 1_000_000, hi: 2_000_000 }, format: 'JSONEachRow' })
          : await c.query({ query: CHEAP_UNBOUND, format: 'JSONEachRow' });
        await rs.json();
      }),
    ),
  );
}

const uptime = () => execSync('uptime').toString().trim();
console.log(`bench/lanes.ts: ${RUNS} runs each, medians; ${os.cpus().length} cores; ${uptime()}`);

// (a) more connections?
const conns = Array.from({ length: 4 }, () =>
  createClient({ connection: createChdbConnection({ path: embeddedPath() }) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'] }),
);
const alone: number[] = [];
for (let r = 0; r <= RUNS; r++) alone.push(await fanOut(conns.slice(0, 1), true, 1));
const single = median(alone.slice(1));
console.log(`\n(a) 8 concurrent cheap queries (one alone: ${fmt(single)} ms), wall time in ms`);
// Configurations alternate within each round, so that a load change on a shared machine hits all alike.
const configs = [1, 2, 4].flatMap((k) => [true, false].map((bound) => ({ k, bound })));
const wall = new Map<string, number[]>();
const put = (key: string, ms: number) => wall.set(key, [...(wall.get(key) ?? []), ms]);
for (let r = 0; r < RUNS; r++) {
  for (const { k, bound } of configs) put(`${k}/${bound}`, await fanOut(conns.slice(0, k), bound, 8));
  put('seq', await timed(async () => {
    for (let i = 0; i < 8; i++) await fanOut(conns.slice(0, 1), true, 1);
  }));
}
console.log('connections | bound parameters | no parameters');
for (const k of [1, 2, 4]) console.log(`${k} | ${spread(wall.get(`${k}/true`)!)} | ${spread(wall.get(`${k}/false`)!)}`);
console.log(`8 in sequence, 1 connection | ${spread(wall.get('seq')!)} |`);
for (const c of conns) await c.close();

// (b) a cheap read behind slow ones: FIFO (one lane for all) vs lanes.
const sumRow = z.object({ s: z.number() });
const anyRow = z.object({ w: z.number(), q: z.number() });
const SLOW = sql`SELECT sum(cityHash64(number)) AS s FROM numbers(${p.u64(150_000_000)})`;
const slowAlone: number[] = [];
for (let r = 0; r < 3; r++) slowAlone.push(await timed(() => query(SLOW, sumRow, { name: 'bench.slow', lane: 'bulk' })));

async function behindSlow(lanes: boolean): Promise<{ cheap: number; insert: number }> {
  const bulk: Lane = lanes ? 'bulk' : 'interactive';
  const slow = [query(SLOW, sumRow, { name: 'bench.slow', lane: bulk })];
  while (storeScheduler().depth.running === 0) await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 3; i++) slow.push(query(SLOW, sumRow, { name: 'bench.slow', lane: bulk }));
  const cheapP = timed(() => query(sql`SELECT w, quantileExact(0.95)(v) AS q FROM lanes_probe WHERE ts >= ${p.u32(1_000_000)} AND ts < ${p.u32(2_000_000)} GROUP BY w`, anyRow, { name: 'bench.cheap' }));
  const insertP = timed(() => insertRows('ingest_probe', [{ event_id: 'x' }]));
  const [cheap, insert] = await Promise.all([cheapP, insertP]);
  await Promise.all(slow);
  return { cheap, insert };
}
await command(sql`CREATE TEMPORARY TABLE IF NOT EXISTS ingest_probe (event_id String)`);
console.log(`\n(b) a cheap read issued while a slow bulk statement runs (alone: ${fmt(median(slowAlone))} ms) and 3 more are queued`);
const lat = { fifo: { cheap: [] as number[], insert: [] as number[] }, lanes: { cheap: [] as number[], insert: [] as number[] } };
for (let r = 0; r < RUNS; r++) {
  for (const lanes of [false, true]) {
    const m = await behindSlow(lanes);
    const into = lanes ? lat.lanes : lat.fifo;
    into.cheap.push(m.cheap);
    into.insert.push(m.insert);
  }
}
console.log('order | cheap read latency ms | insert latency ms (c)');
console.log(`first come first served | ${spread(lat.fifo.cheap)} | ${spread(lat.fifo.insert)}`);
console.log(`scheduler (interactive before bulk) | ${spread(lat.lanes.cheap)} | ${spread(lat.lanes.insert)}`);
console.log(`\n${uptime()}`);
await closeStore();
fs.rmSync(dir, { recursive: true, force: true });
