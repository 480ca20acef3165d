import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { get, newLog, post, sendUntilAcked } from './client';
import { inspectStore, liveEvent } from './data';
import { TestServer } from './server';
import { Recorder, type ScenarioResult } from './stats';

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const freeKiB = (dir: string) => Number(sh('df', ['-k', '--output=avail', dir]).trim().split('\n').pop());

/**
 * The data directory is a small tmpfs (needs root); a filler file leaves a few MiB, and ingest goes
 * on until the store itself runs out of space. Then the filler goes and the client replays.
 */
export async function diskFullScenario(opts: { sizeMiB: number; leaveMiB: number; say?: (s: string) => void }): Promise<ScenarioResult> {
  const rec = new Recorder('Disk full: a small tmpfs data directory', opts.say);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-rel-disk-'));
  try {
    sh('mount', ['-t', 'tmpfs', '-o', `size=${opts.sizeMiB}m`, 'tmpfs', dir]);
  } catch (err) {
    rec.note(`skipped: cannot mount a tmpfs here (${String(err).slice(0, 120)}); needs root`);
    fs.rmSync(dir, { recursive: true, force: true });
    return rec.result();
  }
  let server: TestServer | undefined;
  try {
    server = await TestServer.start({ dataDir: dir });
    const filler = path.join(dir, 'filler');
    const leave = opts.leaveMiB * 1024;
    sh('fallocate', ['-l', `${Math.max(0, freeKiB(dir) - leave)}k`, filler]);
    rec.note(`tmpfs of ${opts.sizeMiB} MiB; a filler leaves ${(freeKiB(dir) / 1024).toFixed(1)} MiB free`);

    const bodies: Buffer[] = [];
    const statuses: Record<string, number> = {};
    let failedInARow = 0;
    let firstFull = -1;
    let message = '';
    let retryAfter = '';
    const now = Date.now();
    for (let i = 0; failedInARow < 5 && i < 400; i++) {
      const b = Buffer.from(Array.from({ length: 5000 }, (_, k) => JSON.stringify(liveEvent(`df${i}`, k, now))).join('\n'));
      bodies.push(b);
      const a = await post(server.url, b);
      statuses[String(a.status)] = (statuses[String(a.status)] ?? 0) + 1;
      if (a.status >= 500) {
        failedInARow++;
        if (firstFull < 0) firstFull = i;
        message = (a.body as { error?: { message?: string } })?.error?.message ?? a.text.slice(0, 100);
        retryAfter = a.retryAfter ?? '';
      } else failedInARow = 0;
    }
    rec.note(`${bodies.length} batches of 5,000 sent; first refusal at batch ${firstFull + 1}; ${(freeKiB(dir) / 1024).toFixed(1)} MiB free at the end`);
    rec.check('the disk filled up during the run', firstFull >= 0, firstFull >= 0 ? 'yes' : 'no', 'yes');
    rec.check('ingest on a full disk', Object.keys(statuses).every((s) => s === '200' || s === '503') && Number(retryAfter) > 0, `${JSON.stringify(statuses)}; "${message}" (Retry-After ${retryAfter})`, '503 + Retry-After, never 500');
    const read = await get(server.url, '/api/v1/kpi/sync-lag');
    const total = (read.body as { total?: { messages?: number } })?.total?.messages;
    rec.check('reads while the disk is full', read.status === 200, `${read.status}, ${total} messages`, '200');
    const health = await get(server.url, '/api/health');
    rec.check('health while the disk is full', health.status === 200 && server.alive(), health.status, '200, process up');

    fs.rmSync(filler);
    const log = newLog();
    for (const b of bodies) await sendUntilAcked(() => server!.url, b, log, Date.now() + 5 * 60_000);
    rec.note(`after freeing space, every batch replayed: ${JSON.stringify(log.statuses)}, ${log.accepted} newly accepted, ${log.duplicates} already stored`);
    const expected = bodies.length * 5000;
    const after = await get(server.url, '/api/v1/kpi/sync-lag');
    const counted = (after.body as { total?: { messages?: number } })?.total?.messages;
    rec.check('the KPI right after the replay counts every event once', counted === expected, counted ?? after.status, String(expected));
    await server.stop();
    await server.launch();
    const again = await get(server.url, '/api/v1/kpi/sync-lag');
    rec.check('restart after the disk-full episode: tables load', again.status === 200, again.status, '200');
    await server.stop();
    const c = inspectStore(dir);
    rec.check('lost after replay', c.distinct === expected, expected - c.distinct, '0');
    rec.check('duplicated after replay', c.rows === c.distinct, c.rows - c.distinct, '0');
    rec.check('parts refused at load', c.brokenParts === 0, c.brokenParts, '0');
  } finally {
    await server?.dispose(true);
    try {
      sh('umount', [dir]);
    } catch {
      // not mounted
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rec.result();
}
