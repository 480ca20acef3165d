import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { command, insertRows, p, query, sql, storeScheduler, withLane, type Lane } from '@/lib/store';
import { useTestStore } from '../helpers/store';

useTestStore();

/**
 * The scheduler orders statements that wait for the embedded engine. Every test starts one slow
 * bound statement (a scan sized to take about a second here) and queues the others while it runs;
 * the assertions are on the ORDER in which the queued ones complete, never on durations.
 */
const SLOW_ROWS = 60_000_000;
const sumRow = z.object({ s: z.number() });
const tagRow = z.object({ tag: z.string() });

const DEFAULT_PROMOTION = storeScheduler().promoteAfterMs;
afterEach(() => {
  storeScheduler().promoteAfterMs = DEFAULT_PROMOTION;
});

function recorder() {
  const done: string[] = [];
  /** A cheap bound read that records its tag when its answer arrives. */
  const read = (tag: string, lane?: Lane) =>
    query(sql`SELECT ${p.str(tag)} AS tag`, tagRow, { name: 'test.lanes', ...(lane ? { lane } : {}) }).then((rows) => {
      expect(rows).toEqual([{ tag }]);
      done.push(tag);
    });
  return { done, read };
}

/** Starts the slow statement and waits until the scheduler has it running, so that what follows queues. */
async function startSlow(done: string[]): Promise<{ finished: Promise<void>; running: () => boolean }> {
  let over = false;
  const finished = query(sql`SELECT sum(cityHash64(number)) AS s FROM numbers(${p.u64(SLOW_ROWS)})`, sumRow, { name: 'test.slow', lane: 'bulk' }).then(() => {
    over = true;
    done.push('slow');
  });
  while (storeScheduler().depth.running === 0) await new Promise((r) => setImmediate(r));
  return { finished, running: () => !over };
}

describe('statement lanes on the embedded engine', () => {
  it('a queued interactive read runs before queued bulk ones, and a queued write before interactive ones', async () => {
    // No promotion here: on a loaded machine the slow statement may run for seconds.
    storeScheduler().promoteAfterMs = 0;
    const { done, read } = recorder();
    const slow = await startSlow(done);
    const all = [
      read('bulk-1', 'bulk'),
      // The lane set around a caller reaches its statements (alert evaluation, search, …).
      withLane('bulk', () => read('bulk-2')),
      read('interactive-1'),
      read('interactive-2', 'interactive'),
      // Bound, so it needs the binder the slow statement holds: it queues, and goes first.
      read('write-1', 'write'),
    ];
    // The setup is only meaningful if all of them queued behind the slow statement.
    expect(slow.running()).toBe(true);
    expect(storeScheduler().depth.waiting).toBe(5);
    await Promise.all([slow.finished, ...all]);
    expect(done).toEqual(['slow', 'write-1', 'interactive-1', 'interactive-2', 'bulk-1', 'bulk-2']);
  });

  it('an unbound write on the write session starts beside a long bound read instead of queueing', async () => {
    storeScheduler().promoteAfterMs = 0;
    await command(sql`CREATE TEMPORARY TABLE IF NOT EXISTS ingest_probe (event_id String)`);
    const { done, read } = recorder();
    const slow = await startSlow(done);
    const queued = read('interactive-1');
    const insert = insertRows('ingest_probe', [{ event_id: 'e1' }]).then(() => done.push('insert'));
    expect(slow.running()).toBe(true);
    // The insert holds neither the read session nor the binder: the scheduler starts it at once.
    expect(storeScheduler().depth).toEqual({ waiting: 1, running: 2 });
    await Promise.all([slow.finished, queued, insert]);
    expect(done.indexOf('insert')).toBeLessThan(done.indexOf('interactive-1'));
    const rows = await query(sql`SELECT event_id AS tag FROM ingest_probe`, tagRow, { name: 'test.lanes', lane: 'write' });
    expect(rows).toEqual([{ tag: 'e1' }]);
  });

  it('under sustained interactive load a waiting bulk statement is promoted and completes', async () => {
    const { done, read } = recorder();
    // Without promotion, the bulk statement waits for every interactive one queued after it.
    storeScheduler().promoteAfterMs = 0;
    let slow = await startSlow(done);
    let all = [read('bulk', 'bulk'), ...Array.from({ length: 8 }, (_, i) => read(`i${i}`))];
    expect(slow.running()).toBe(true);
    await Promise.all([slow.finished, ...all]);
    expect(done.at(-1)).toBe('bulk');

    // With a promotion age far below the slow statement's run time, it has been promoted by the time
    // the engine frees up: it is older than every interactive statement, so it goes first.
    done.length = 0;
    storeScheduler().promoteAfterMs = 1;
    slow = await startSlow(done);
    all = [withLane('bulk', () => read('bulk')), ...Array.from({ length: 8 }, (_, i) => read(`i${i}`))];
    expect(slow.running()).toBe(true);
    await Promise.all([slow.finished, ...all]);
    expect(done.slice(0, 2)).toEqual(['slow', 'bulk']);
  });
});
