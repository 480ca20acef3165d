import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GET, POST } from '@/app/api/v1/ingest/route';
import { p, query, sql } from '@/lib/store';
import { exampleEvents, syncMessage } from '../helpers/fixtures';
import { API, ctx, gzip, INGEST, ndjson, post } from '../helpers/http';
import { resetStore, useTestStore } from '../helpers/store';

useTestStore();
beforeEach(resetStore);

const count = z.object({ n: z.number() });
async function storedCount(): Promise<number> {
  const [r] = await query(sql`SELECT count() AS n FROM events`, count, { name: 'test.count' });
  return r!.n;
}
async function send(body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await POST(post('/api/v1/ingest', body, { ...INGEST, ...headers }), ctx());
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /api/v1/ingest', () => {
  it('stores every spec example and answers 200 with counts', async () => {
    const r = await send(ndjson(exampleEvents()));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ accepted: exampleEvents().length, duplicates: 0, rejected: 0, errors: [] });
    expect(await storedCount()).toBe(exampleEvents().length);
  });

  it('mixed batch: every good line stored, every bad line rejected with its line number', async () => {
    const good1 = syncMessage();
    const good2 = syncMessage();
    const body = [
      JSON.stringify(good1),
      '{not json',
      '',
      JSON.stringify({ ...syncMessage(), type: 'nope' }),
      JSON.stringify(good2),
      '[1,2]',
    ].join('\n');
    const r = await send(body);
    expect(r.status).toBe(207);
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected).toBe(3);
    const errors = r.body.errors as { line: number; reason: string }[];
    expect(errors.map((e) => e.line)).toEqual([2, 4, 6]);
    expect(errors[1]!.reason).toMatch(/^type/);
    expect(await storedCount()).toBe(2);
    const rejected = await query(sql`SELECT line, raw FROM rejected_events ORDER BY line`, z.object({ line: z.number(), raw: z.string() }), {
      name: 'test.rejected',
    });
    expect(rejected.map((x) => x.line)).toEqual([2, 4, 6]);
    expect(rejected[0]!.raw).toBe('{not json');
  });

  it('an all-rejected batch is 207; an empty body is 200 with zeros', async () => {
    expect((await send('garbage\n')).status).toBe(207);
    const empty = await send('');
    expect(empty).toEqual({ status: 200, body: { accepted: 0, duplicates: 0, rejected: 0, errors: [] } });
  });

  it('the same file three times, the last after closing and reopening the store, changes no count', async () => {
    const body = ndjson(exampleEvents());
    await send(body);
    const again = await send(body);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: exampleEvents().length, rejected: 0 });
    const { closeStore } = await import('@/lib/store');
    await closeStore();
    const third = await send(body);
    expect(third.body).toMatchObject({ accepted: 0, duplicates: exampleEvents().length });
    expect(await storedCount()).toBe(exampleEvents().length);
  });

  it('duplicates within one batch: the first copy wins', async () => {
    const a = syncMessage({ event_id: 'dup-1', warehouse_id: 'DC-FIRST' });
    const b = { ...a, warehouse_id: 'DC-SECOND' };
    const r = await send(ndjson([a, b]));
    expect(r.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0 });
    const rows = await query(sql`SELECT toString(warehouse_id) AS w FROM events WHERE event_id = ${p.str('dup-1')}`, z.object({ w: z.string() }), {
      name: 'test.w',
    });
    expect(rows).toEqual([{ w: 'DC-FIRST' }]);
  });

  it('accepts a JSON array, gzip, CRLF and a BOM', async () => {
    const arr = await send(JSON.stringify([syncMessage(), syncMessage()]), { 'content-type': 'application/json' });
    expect(arr.body).toMatchObject({ accepted: 2 });
    const gz = await send(gzip(ndjson([syncMessage()])), { 'content-encoding': 'gzip' });
    expect(gz.body).toMatchObject({ accepted: 1 });
    const crlf = await send('\uFEFF' + [syncMessage(), syncMessage()].map((e) => JSON.stringify(e)).join('\r\n') + '\r\n');
    expect(crlf.body).toMatchObject({ accepted: 2, rejected: 0 });
  });

  it('a truncated gzip body is 400 and stores nothing', async () => {
    const gz = gzip(ndjson([syncMessage(), syncMessage()]));
    const r = await send(gz.subarray(0, gz.length - 8), { 'content-encoding': 'gzip' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'bad_request' } });
    expect(await storedCount()).toBe(0);
  });

  it('over the body limit (before and after decompression) is 413 and stores nothing', async () => {
    process.env.CT_MAX_BODY_BYTES = '2000';
    try {
      const events = Array.from({ length: 40 }, () => syncMessage());
      const big = await send(ndjson(events));
      expect(big.status).toBe(413);
      expect(big.body).toMatchObject({ error: { code: 'payload_too_large' } });
      const bomb = gzip(ndjson(events));
      expect(bomb.length).toBeLessThan(2000);
      const r = await send(bomb, { 'content-encoding': 'gzip' });
      expect(r.status).toBe(413);
      expect(await storedCount()).toBe(0);
    } finally {
      delete process.env.CT_MAX_BODY_BYTES;
    }
  });

  it('401 without a token or with a wrong one, 403 for the read token, 405 for GET', async () => {
    const body = ndjson([syncMessage()]);
    expect((await POST(post('/api/v1/ingest', body), ctx())).status).toBe(401);
    expect((await POST(post('/api/v1/ingest', body, { authorization: 'Bearer wrong' }), ctx())).status).toBe(401);
    const forbidden = await POST(post('/api/v1/ingest', body, API), ctx());
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await GET(new Request('http://localhost/api/v1/ingest'), ctx())).status).toBe(405);
    expect(await storedCount()).toBe(0);
  });

  it('hostile correlation ids round-trip byte-exact', async () => {
    const ids = [`q"uote`, `back\\slash`, '100%', 'a/b/../c', 'with space', '📦🚚 emoji', "'; DROP TABLE events; --", "it's"];
    const events = ids.map((id) => syncMessage({ correlation_id: id }));
    expect((await send(ndjson(events))).body).toMatchObject({ accepted: ids.length });
    for (const id of ids) {
      const rows = await query(sql`SELECT correlation_id FROM events WHERE correlation_id = ${p.str(id)}`, z.object({ correlation_id: z.string() }), {
        name: 'test.corr',
      });
      expect(rows).toEqual([{ correlation_id: id }]);
    }
    expect(await storedCount()).toBe(ids.length);
  });
});
