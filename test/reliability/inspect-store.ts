/**
 * Child-process helper for data.ts `inspectStore`: opens the embedded store at CT_DATA_DIR and
 * prints one JSON line of counts. Run only against a stopped server's directory.
 */
import { z } from 'zod';
import { closeStore, query, sql } from '@/lib/store';

const n = z.object({ n: z.coerce.number() });

async function count(q: ReturnType<typeof sql>): Promise<number> {
  const rows = await query(q, n, { name: 'reliability.inspect' });
  return rows[0]?.n ?? 0;
}

async function main() {
  const out = {
    rows: await count(sql`SELECT count() AS n FROM events`),
    distinct: await count(sql`SELECT uniqExact(event_id) AS n FROM events`),
    lookup: await count(sql`SELECT uniqExact(event_id) AS n FROM event_ids`),
    rejected: await count(sql`SELECT count() AS n FROM rejected_events`),
    brokenParts: await count(sql`SELECT count() AS n FROM system.detached_parts WHERE database = currentDatabase()`),
  };
  await closeStore();
  console.log(JSON.stringify(out));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
