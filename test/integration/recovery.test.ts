import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { repairLookups, tailSlices } from '@/ingest/recovery';
import { ingestLines } from '@/ingest/pipeline';
import { command, p, query, sql } from '@/lib/store';
import { syncMessage } from '../helpers/fixtures';
import { useTestStore } from '../helpers/store';

useTestStore();
const n = z.object({ n: z.number() });
const count = async (q: ReturnType<typeof sql>) => (await query(q, n, { name: 'test.count' }))[0]!.n;

describe('startup repair of the dedup and correlation lookups', () => {
  it('a lookup row lost in a crash is restored, so a resent event stays a duplicate', async () => {
    const now = Date.now();
    const events = [syncMessage({ event_id: 'crash-1', correlation_id: 'CR-1' }), syncMessage({ event_id: 'crash-2', correlation_id: 'CR-2' })];
    await ingestLines(events.map((value, i) => ({ line: i + 1, raw: '', value })), now);
    // Simulate the crash window: the events part is on disk but its view rows are not.
    await command(sql`ALTER TABLE event_ids DELETE WHERE event_id = ${p.str('crash-2')} SETTINGS mutations_sync = 1`);
    await command(sql`ALTER TABLE correlation_index DELETE WHERE correlation_id = ${p.str('CR-2')} SETTINGS mutations_sync = 1`);
    await repairLookups(now + 1000);
    await repairLookups(now + 2000); // idempotent
    expect(await count(sql`SELECT count() AS n FROM event_ids FINAL WHERE event_id = 'crash-2'`)).toBe(1);
    expect(await count(sql`SELECT count() AS n FROM (SELECT correlation_id FROM correlation_index WHERE correlation_id = 'CR-2' GROUP BY correlation_id)`)).toBe(1);
    const again = await ingestLines([{ line: 1, raw: '', value: events[1] }], now + 3000);
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await count(sql`SELECT count() AS n FROM events WHERE event_id = 'crash-2'`)).toBe(1);
  });

  it('the sync_messages rows a crash lost come back once, and a clean restart adds none', async () => {
    const now = Date.now();
    const events = [0, 1, 2].map((k) => syncMessage({ event_id: `sm-${k}`, correlation_id: `SM-${k}` }));
    await ingestLines(events.map((value, i) => ({ line: i + 1, raw: '', value })), now);
    const rows = () => count(sql`SELECT count() AS n FROM sync_messages WHERE startsWith(event_id, 'sm-')`);
    expect(await rows()).toBe(3);
    await repairLookups(now + 1000); // a restart after a clean stop: the tail is replayed, nothing is missing
    expect(await rows()).toBe(3);
    await command(sql`ALTER TABLE sync_messages DELETE WHERE event_id = 'sm-1' SETTINGS mutations_sync = 1`);
    await repairLookups(now + 2000);
    await repairLookups(now + 3000);
    expect(await rows()).toBe(3);
    expect(await count(sql`SELECT count() AS n FROM sync_messages WHERE event_id = 'sm-1'`)).toBe(1);
  });

  it('a large tail is repaired in slices of whole ingest minutes, and every lost row in every slice comes back', async () => {
    const now = Date.now();
    const MIN = 60_000;
    // Five batches ingested 50, 40, 30, 20 and 10 minutes ago: all inside the repaired tail (the last hour).
    const batches = [50, 40, 30, 20, 10].map((ago) => ({
      at: now - ago * MIN,
      events: [0, 1, 2].map((k) => syncMessage({ event_id: `tail-${ago}-${k}`, correlation_id: `TL-${ago}-${k}` })),
    }));
    for (const b of batches) await ingestLines(b.events.map((value, i) => ({ line: i + 1, raw: '', value })), b.at);
    const lost = batches.map((b) => b.events[1]!);
    for (const e of lost) {
      await command(sql`ALTER TABLE event_ids DELETE WHERE event_id = ${p.str(String(e.event_id))} SETTINGS mutations_sync = 1`);
      await command(sql`ALTER TABLE correlation_index DELETE WHERE correlation_id = ${p.str(String(e.correlation_id))} SETTINGS mutations_sync = 1`);
    }
    // At most 2 rows a slice: every minute that holds a batch (3 rows) is a slice of its own.
    const slices = await tailSlices(now, 2);
    expect(slices.length).toBeGreaterThanOrEqual(5);
    expect(slices.at(-1)!.hi).toBeNull();
    for (let i = 1; i < slices.length; i++) expect(slices[i]!.lo).toBe(slices[i - 1]!.hi);
    await repairLookups(now, 2);
    const ids = lost.map((e) => String(e.event_id));
    const corrs = lost.map((e) => String(e.correlation_id));
    expect(await count(sql`SELECT count() AS n FROM event_ids FINAL WHERE event_id IN ${p.strs(ids)}`)).toBe(5);
    expect(await count(sql`SELECT uniqExact(correlation_id) AS n FROM correlation_index WHERE correlation_id IN ${p.strs(corrs)}`)).toBe(5);
    // Sliced or not, the repair is idempotent: a second pass in one slice adds no event id.
    await repairLookups(now);
    expect(await count(sql`SELECT count() AS n FROM event_ids WHERE event_id IN ${p.strs(ids)}`)).toBe(5);
  });
});
