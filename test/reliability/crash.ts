import { newLog, pool, sendUntilAcked, type ResendLog } from './client';
import { demoBatches, diffSnapshots, inspectStore, kpiPaths, kpiSnapshot, type StoreCounts } from './data';
import { TestServer, sleep } from './server';
import { latencyLine, Recorder, type ScenarioResult } from './stats';

export interface CrashOptions {
  /** Demo month volume multiplier (1 ≈ 78k events). */
  scale: number;
  kills: number;
  batchSize?: number;
  concurrency?: number;
  say?: (s: string) => void;
}

interface Loaded {
  server: TestServer;
  log: ResendLog;
  snapshot: Map<string, unknown>;
  counts: StoreCounts;
  seconds: number;
}

interface Restart {
  /** From SIGKILL to the new `npm start` being spawned. */
  spawnGapMs: number;
  /** From SIGKILL to /api/health answering 200. */
  readyMs: number;
}

/**
 * Loads `batches` through POST /api/v1/ingest with `concurrency` clients that resend every batch
 * they have no 2xx for. `killAt` lists acknowledged-batch counts at which the server's whole process
 * group is killed -9 (with requests in flight) and `npm start` runs again at once on the same port and
 * data directory, as a supervisor would: the dying process may still hold the store for a moment.
 */
async function load(batches: Buffer[], paths: string[], concurrency: number, killAt: number[], say: (s: string) => void) {
  const server = await TestServer.start({ launcher: 'npm-start' });
  const log = newLog();
  const restarts: Restart[] = [];
  let acked = 0;
  let killing: Promise<void> | null = null;
  const pending = [...killAt];
  const started = Date.now();
  await pool(batches, concurrency, async (b) => {
    await sendUntilAcked(() => server.url, b, log, Date.now() + 10 * 60_000);
    acked++;
    if (pending.length && acked >= pending[0]! && !killing) {
      pending.shift();
      killing = (async () => {
        // Let the next requests reach the write path, so the kill lands mid-insert.
        await sleep(50 + Math.floor(Math.random() * 850));
        const t = Date.now();
        server.kill9Now();
        await server.launch();
        const r = { spawnGapMs: server.spawnedAt - t, readyMs: Date.now() - t };
        restarts.push(r);
        say(`  killed -9 after ${acked} acknowledged batches; npm start ${r.spawnGapMs} ms later, serving ${r.readyMs} ms after the kill`);
      })().finally(() => {
        killing = null;
      });
    }
  });
  if (killing) await killing;
  const seconds = (Date.now() - started) / 1000;
  const snapshot = await kpiSnapshot(server.url, paths);
  const waited = server.log().split('another process holds').length - 1;
  await server.stop();
  const counts = inspectStore(server.dataDir);
  return { loaded: { server, log, snapshot, counts, seconds } satisfies Loaded, restarts, waited };
}

export async function crashScenario(opts: CrashOptions): Promise<ScenarioResult> {
  const say = opts.say ?? ((s: string) => console.log(s));
  const rec = new Recorder('Crash safety: kill -9 during a large load', say);
  const batchSize = opts.batchSize ?? 5_000;
  const concurrency = opts.concurrency ?? 3;
  const endMs = Math.floor(Date.now() / 60_000) * 60_000;
  const { batches, events } = demoBatches({ endMs, scale: opts.scale, batchSize });
  const paths = kpiPaths(endMs);
  rec.note(`${events} demo events in ${batches.length} batches of ${batchSize}, ${concurrency} concurrent clients, ${opts.kills} kill(s) -9`);

  say('  clean run…');
  const clean = await load(batches, paths, concurrency, [], say);
  await clean.loaded.server.dispose();
  say(`  crash run…`);
  const step = Math.floor(batches.length / (opts.kills + 1));
  const killAt = Array.from({ length: opts.kills }, (_, i) => step * (i + 1));
  const crash = await load(batches, paths, concurrency, killAt, say);
  await crash.loaded.server.dispose();

  const c = crash.loaded.counts;
  const k = clean.loaded.counts;
  rec.note(`clean run: ${clean.loaded.seconds.toFixed(1)} s (${Math.round(events / clean.loaded.seconds)} events/s); acks ${latencyLine(clean.loaded.log.acks)}`);
  rec.note(`crash run: ${crash.loaded.seconds.toFixed(1)} s; attempts by status ${JSON.stringify(crash.loaded.log.statuses)}; ${crash.loaded.log.resent} resends; acknowledged accepted ${crash.loaded.log.accepted} + duplicates ${crash.loaded.log.duplicates}`);
  rec.check('kills performed', crash.restarts.length === opts.kills, crash.restarts.length, String(opts.kills));
  rec.check('clean run stores every event once', k.rows === events && k.distinct === events, `${k.rows} rows, ${k.distinct} distinct`, `${events}`);
  rec.check('lost events after kills', c.distinct === events, events - c.distinct, '0');
  rec.check('duplicated rows after kills', c.rows === c.distinct, c.rows - c.distinct, '0');
  rec.check('dedup lookup covers every stored event', c.lookup === c.distinct, `${c.lookup} of ${c.distinct}`, 'all');
  rec.check('parts refused at load (detached/broken)', c.brokenParts === 0, c.brokenParts, '0');
  const diffs = diffSnapshots(clean.loaded.snapshot, crash.loaded.snapshot);
  rec.check(`every KPI equals the clean run (${paths.length} endpoints)`, diffs.length === 0, diffs.length === 0 ? 'equal' : diffs.slice(0, 5).join('; '), 'equal');
  const gaps = crash.restarts.map((r) => r.spawnGapMs);
  rec.check('npm start again after SIGKILL to the group (worst delay)', crash.restarts.length > 0 && Math.max(...gaps) < 100, `${Math.max(...gaps)} ms (${gaps.join(', ')} ms)`, '< 100 ms');
  const ready = crash.restarts.map((r) => r.readyMs);
  rec.check('serving again after kill -9 (worst)', crash.restarts.length > 0 && Math.max(...ready) < 30_000, `${Math.max(...ready)} ms (${ready.join(', ')} ms)`, '< 30000 ms');
  rec.note(`restarts that found the killed process still holding the store and waited for it: ${crash.waited} of ${crash.restarts.length}`);
  return rec.result();
}
