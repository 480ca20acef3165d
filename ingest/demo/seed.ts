import { z } from 'zod';
import { query, sql } from '@/lib/store';
import { generateDemo } from '.';
import { ingestLines } from '@/ingest/pipeline';
import type { ParsedLine } from '@/ingest/parse';

const BATCH = 20_000;

export async function storeIsEmpty(): Promise<boolean> {
  const rows = await query(sql`SELECT count() AS n FROM (SELECT 1 FROM events LIMIT 1)`, z.object({ n: z.number() }), {
    name: 'seed.empty'
  });
  return (rows[0]?.n ?? 0) === 0;
}

/** Demo events already stored (their ids are `demo-<n>`), read from the id lookup keyed by event_id. */
export async function storedDemoEvents(): Promise<number> {
  const rows = await query(sql`SELECT uniqExact(event_id) AS n FROM event_ids WHERE startsWith(event_id, 'demo-')`, z.object({ n: z.coerce.number() }), {
    name: 'seed.demo_count'
  });
  return rows[0]?.n ?? 0;
}

/** Loads the demo month through the real pipeline (so it is validated and deduplicated like any feed). */
export async function seedDemo(opts: { endMs?: number; scale?: number; onProgress?: (n: number) => void } = {}) {
  const endMs = opts.endMs ?? Date.now();
  let lines: ParsedLine[] = [];
  const total = { accepted: 0, duplicates: 0, rejected: 0 };
  let n = 0;
  const flush = async () => {
    const r = await ingestLines(lines, endMs);
    total.accepted += r.accepted;
    total.duplicates += r.duplicates;
    total.rejected += r.rejected;
    if (r.rejected > 0) throw new Error(`demo generator produced invalid events: ${r.errors[0]?.reason ?? '?'}`);
    lines = [];
    opts.onProgress?.(n);
  };
  for (const ev of generateDemo({ endMs, scale: opts.scale })) {
    n++;
    lines.push({ line: n, raw: '', value: ev });
    if (lines.length >= BATCH) await flush();
  }
  if (lines.length) await flush();
  return total;
}
