import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isAppError } from '@/lib/errors';
import { command, p, query, sql, type Sql } from '@/lib/store';
import { useTestStore } from '../helpers/store';

// Read guards this tight make the queries below hit both limits often; the write session (DDL, the
// load below) keeps the defaults. Set before the store opens.
process.env.CT_QUERY_MAX_SECONDS = '0.02';
process.env.CT_QUERY_MAX_MEMORY_BYTES = '8000000';
useTestStore();

const KINDS: ((tag: string, since: number) => Sql)[] = [
  (t, s) => sql`SELECT ${p.str(t)} AS tag, w, quantilesExact(0.5, 0.95, 0.99)(a) AS q FROM guard_probe WHERE ts > ${p.time(s)} GROUP BY GROUPING SETS ((w), ())`,
  (t, s) => sql`SELECT ${p.str(t)} AS tag, w, groupArray(s) AS g FROM guard_probe WHERE ts > ${p.time(s)} GROUP BY w`,
  (t, s) => sql`SELECT ${p.str(t)} AS tag, toStartOfHour(ts) AS b, w, quantileExact(0.95)(a) AS q FROM guard_probe WHERE ts > ${p.time(s)} GROUP BY b, w ORDER BY b`,
  (t, s) => sql`SELECT ${p.str(t)} AS tag, count() AS c FROM guard_probe WHERE w = 'W1' AND ts > ${p.time(s)}`,
  (t, s) => sql`SELECT ${p.str(t)} AS tag, uniqExact(s || toString(a)) AS u FROM guard_probe WHERE ts > ${p.time(s)}`,
];
const tagged = z.object({ tag: z.string() }).passthrough();

describe('query guards on the embedded engine', () => {
  it('runaway queries fail as overloaded, and no query ever receives the rows of one that failed', async () => {
    await command(sql`CREATE TABLE guard_probe (a UInt64, w LowCardinality(String), s String, ts DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY (w, ts)`);
    await command(sql`INSERT INTO guard_probe SELECT number, concat('W', toString(number % 8)), repeat('x', 50), now64(3) - number FROM numbers(300000)`);
    const outcome = { ok: 0, time: 0, memory: 0, foreign: 0, other: [] as string[] };
    for (let i = 0; i < 600; i++) {
      const tag = `q${i}`;
      try {
        const rows = await query(KINDS[i % KINDS.length]!(tag, 0), tagged, { name: 'test.guards' });
        if (rows.some((r) => r.tag !== tag)) outcome.foreign++;
        else outcome.ok++;
      } catch (err) {
        if (isAppError(err) && err.code === 'overloaded' && err.message.includes('time')) outcome.time++;
        else if (isAppError(err) && err.code === 'overloaded' && err.message.includes('memory')) outcome.memory++;
        else outcome.other.push(String(err).slice(0, 200));
      }
    }
    expect(outcome.foreign).toBe(0);
    expect(outcome.other).toEqual([]);
    expect(outcome.time).toBeGreaterThan(0);
    expect(outcome.memory).toBeGreaterThan(0);
    expect(outcome.ok).toBeGreaterThan(0);
  }, 120_000);
});
