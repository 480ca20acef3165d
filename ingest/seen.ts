import { z } from 'zod';
import { command, insertJsonLines, p, query, sql, storeMode } from '@/lib/store';

/**
 * The dedup lookup: which of these event_ids are already stored. Call only under the write lock.
 *
 * On the embedded engine, chDB runs parameterized statements one at a time across the whole process
 * (its parameter binder is not safe under concurrency), so a lookup bound as a parameter would queue
 * behind every dashboard query, and a runaway one would hold acknowledgements for its full time
 * limit. There the ids travel as insert data into a temporary table of the write session, and the
 * lookup has no parameter at all: it runs beside the reads. A ClickHouse server binds parameters per
 * request, so it keeps the plain bound lookup.
 */
const LOOKUP_CHUNK_IDS = 10_000;
const idRow = z.object({ event_id: z.string() });

export async function storedIds(ids: readonly string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  if (ids.length === 0) return stored;
  if (storeMode() === 'embedded') {
    // Session-local: it exists only in the write session, which only the (locked) write path uses.
    await command(sql`CREATE TEMPORARY TABLE IF NOT EXISTS ingest_probe (event_id String)`);
    await command(sql`TRUNCATE TABLE ingest_probe`);
    await insertJsonLines('ingest_probe', Buffer.from(ids.map((event_id) => JSON.stringify({ event_id })).join('\n')));
    const rows = await query(sql`SELECT DISTINCT event_id FROM event_ids WHERE event_id IN (SELECT event_id FROM ingest_probe)`, idRow, {
      name: 'ingest.seen_ids',
      lane: 'write',
    });
    for (const r of rows) stored.add(r.event_id);
    await command(sql`TRUNCATE TABLE ingest_probe`);
    return stored;
  }
  for (let i = 0; i < ids.length; i += LOOKUP_CHUNK_IDS) {
    const chunk = ids.slice(i, i + LOOKUP_CHUNK_IDS);
    const rows = await query(sql`SELECT DISTINCT event_id FROM event_ids WHERE event_id IN ${p.strs(chunk)}`, idRow, {
      name: 'ingest.seen_ids',
      lane: 'write',
    });
    for (const r of rows) stored.add(r.event_id);
  }
  return stored;
}
