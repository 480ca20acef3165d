import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { repairLookups } from '@/ingest/recovery';
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
});
