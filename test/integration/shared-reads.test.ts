import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POST as act } from '@/app/api/v1/exceptions/[exception_id]/[action]/route';
import { GET as exceptionsGet } from '@/app/api/v1/exceptions/route';
import { POST as ingestPost } from '@/app/api/v1/ingest/route';
import { GET as syncLagGet } from '@/app/api/v1/kpi/sync-lag/route';
import { ingestLines } from '@/ingest/pipeline';
import { invalidateReads, sharedRead } from '@/lib/server/shared-reads';
import { businessEvent, syncMessage } from '../helpers/fixtures';
import { ctx, get, INGEST, ndjson, post } from '../helpers/http';
import { sessionCookie, useUsers, type TestUser } from '../helpers/session';
import { useTestStore } from '../helpers/store';

useTestStore();

const SUPPORT: TestUser = { email: 'sam@tower.test', role: 'support', warehouses: ['*'] };
const WINDOW = '/api/v1/kpi/sync-lag?from=2026-10-14&to=2026-10-15';
const ingest = (events: Record<string, unknown>[]) =>
  ingestLines(events.map((value, i) => ({ line: i + 1, raw: JSON.stringify(value), value })));
const messages = async (url = WINDOW): Promise<number> => {
  const res = await syncLagGet(get(url), ctx());
  expect(res.status).toBe(200);
  return ((await res.json()) as { total: { messages: number } }).total.messages;
};
const setMaxAge = (s: string) => {
  process.env.CT_READ_MAX_AGE_S = s;
};

beforeAll(() => useUsers([SUPPORT]));
afterEach(() => {
  setMaxAge('0');
  invalidateReads();
});

describe('reads share work (CT_READ_MAX_AGE_S)', () => {
  it('identical concurrent reads run one computation', async () => {
    setMaxAge('2');
    let runs = 0;
    const compute = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
      return { status: 200, headers: [] as [string, string][], body: `run ${runs}` };
    };
    const answers = await Promise.all(Array.from({ length: 8 }, () => sharedRead('k-concurrent', compute)));
    expect(runs).toBe(1);
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set(['run 1']));
    // A failed computation is shared with its joiners, then forgotten.
    let failures = 0;
    const failing = async () => {
      failures++;
      throw new Error('boom');
    };
    const settled = await Promise.allSettled([sharedRead('k-fail', failing), sharedRead('k-fail', failing)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(failures).toBe(1);
    await expect(sharedRead('k-fail', failing)).rejects.toThrow('boom');
    expect(failures).toBe(2);
  });

  it('reuses an answer for at most the configured age, per URL and scope; 0 shares nothing', async () => {
    // Long enough that a loaded machine cannot expire it by accident; expiry is checked below with a short age.
    setMaxAge('30');
    await ingest([syncMessage()]);
    expect(await messages()).toBe(1);
    // Written behind the route's back (as another process would): the shared answer may be reused…
    await ingest([syncMessage()]);
    expect(await messages()).toBe(1);
    // …whatever the parameter order, but not for another URL or scope.
    expect(await messages('/api/v1/kpi/sync-lag?to=2026-10-15&from=2026-10-14')).toBe(1);
    expect(await messages(`${WINDOW}&warehouse=DC-ATL`)).toBe(2);
    // …and never once it is older than CT_READ_MAX_AGE_S.
    setMaxAge('0.2');
    await new Promise((r) => setTimeout(r, 300));
    expect(await messages()).toBe(2);
    setMaxAge('0');
    await ingest([syncMessage()]);
    expect(await messages()).toBe(3);
  });

  it('an acknowledged ingest through the API is in every read that starts after it', async () => {
    setMaxAge('60');
    const before = await messages();
    const res = await ingestPost(post('/api/v1/ingest', ndjson([syncMessage()]), INGEST), ctx());
    expect(res.status).toBe(200);
    expect(await messages()).toBe(before + 1);
  });

  it('a triage action is in every read that starts after its answer', async () => {
    setMaxAge('60');
    await ingest([businessEvent('exception.opened', {}, { exception_id: 'EXC-SR-1', category: 'tax', severity: 'high' })]);
    const cookie = await sessionCookie(SUPPORT);
    const status = async () => {
      const res = await exceptionsGet(get('/api/v1/exceptions?status=all', { cookie }), ctx());
      const body = (await res.json()) as { items: { exception_id: string; status: string }[] };
      return body.items.find((i) => i.exception_id === 'EXC-SR-1')?.status;
    };
    expect(await status()).toBe('open');
    const ack = await act(
      new Request('http://localhost/api/v1/exceptions/EXC-SR-1/acknowledge', {
        method: 'POST',
        headers: { cookie, host: 'localhost', origin: 'http://localhost', 'content-type': 'application/json' },
        body: '{}',
      }),
      ctx({ exception_id: 'EXC-SR-1', action: 'acknowledge' }),
    );
    expect(ack.status).toBe(200);
    expect(await status()).toBe('acknowledged');
  });
});
