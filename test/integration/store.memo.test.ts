import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { p, query, sql, withStatementMemo } from '@/lib/store';
import { useTestStore } from '../helpers/store';

/** A composite read runs a repeated statement once (lib/store/query.ts); outside the memo nothing is shared. */
useTestStore();

const row = z.object({ r: z.number() });
const draw = (salt: number) => query(sql`SELECT rand64() % 1000000007 AS r, ${p.u32(salt)} AS s`, row.extend({ s: z.number() }), { name: 'test.memo' });

describe('statement memo', () => {
  it('runs an identical statement once inside withStatementMemo, and every time outside it', async () => {
    const [a, b, c] = await withStatementMemo(() => Promise.all([draw(1), draw(1), draw(2)]));
    expect(a).toEqual(b);
    expect(a[0]!.s).toBe(1);
    expect(c[0]!.s).toBe(2);
    const outside = await Promise.all(Array.from({ length: 5 }, () => draw(1)));
    expect(new Set(outside.map((x) => x[0]!.r)).size).toBeGreaterThan(1);
    // A new memo does not see the previous one's rows.
    const again = await withStatementMemo(() => draw(1));
    expect(again[0]!.r).not.toBe(a[0]!.r);
  });
});
