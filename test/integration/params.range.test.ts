import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestLines } from '@/ingest/pipeline';
import { businessEvent, syncMessage } from '../helpers/fixtures';
import { API, ctx, get } from '../helpers/http';
import { useTestStore } from '../helpers/store';

/**
 * Every time parameter of every read endpoint, far outside the engine's DateTime64(3) range
 * (1900-01-01 … 2299-12-31) or pushed out of it by the endpoint's own arithmetic (previous window,
 * as_of − 30 days, period end): a 400 naming the parameter, never a 500. Routes are found from the
 * file tree, so a new GET endpoint without an entry here fails the first test.
 */
type Param = 'from' | 'to' | 'as_of' | 'period' | 'tz';
const TIME_PARAMS: Record<string, Param[]> = {
  '/api/v1/kpi/sync-lag': ['from', 'to'],
  '/api/v1/kpi/sync-lag/series': ['from', 'to', 'tz'],
  '/api/v1/kpi/sync-lag/breakdown': ['from', 'to'],
  '/api/v1/kpi/sync-lag/hints': ['from', 'to'],
  '/api/v1/kpi/exception-aging': ['as_of', 'from', 'to'],
  '/api/v1/kpi/invoice-latency': ['from', 'to', 'as_of'],
  '/api/v1/kpi/invoice-latency/unposted': ['as_of'],
  '/api/v1/kpi/drift': ['as_of'],
  '/api/v1/kpi/drift/skus': ['as_of'],
  '/api/v1/kpi/drift/causes': ['as_of'],
  '/api/v1/kpi/flow': ['as_of'],
  '/api/v1/kpi/flow/waiting': ['as_of'],
  '/api/v1/kpi/close-readiness': ['as_of', 'period'],
  '/api/v1/kpi/summary': ['from', 'to'],
  '/api/v1/pipeline/health': ['from', 'to'],
  '/api/v1/rejected': ['from', 'to'],
  // No time parameters: still listed, so that a new one gets a line here.
  '/api/v1/alerts': [],
  '/api/v1/exceptions': [],
  '/api/v1/search': [],
  '/api/v1/correlations': [],
  '/api/v1/config': [],
};
/** Routes that need more than a time to answer 200; the sample makes them answer. */
const SAMPLE_QUERY: Record<string, string> = {
  '/api/v1/search': 'q=SO-1',
  '/api/v1/correlations': 'id=SO-1',
  '/api/v1/kpi/flow/waiting': 'workflow=order_to_cash&stage=order.created',
};

const APP = path.join(process.cwd(), 'app');
function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : d.name === 'route.ts' ? [path.join(dir, d.name)] : []));
}
const urlOf = (file: string) => '/' + path.relative(APP, path.dirname(file)).split(path.sep).join('/');

type GetHandler = (req: Request, c: unknown) => Promise<Response>;
const handlers = new Map<string, GetHandler>();

useTestStore();

beforeAll(async () => {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const evs = [
    syncMessage({ observed_at: iso(now - 60_000), occurred_at: iso(now - 120_000) }),
    businessEvent('order.created', { correlation_id: 'SO-1', occurred_at: iso(now - 3_600_000) }),
  ];
  await ingestLines(evs.map((value, i) => ({ line: i + 1, raw: '', value })), now);
  for (const file of walk(APP)) {
    const url = urlOf(file);
    // Routes with path parameters take no time parameters; ingest and auth are not read endpoints.
    if (!url.startsWith('/api/v1/') || url.includes('[') || url === '/api/v1/ingest') continue;
    const mod = (await import(file)) as { GET?: GetHandler };
    if (typeof mod.GET === 'function') handlers.set(url, mod.GET);
  }
});

async function call(url: string, query: string): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const sample = SAMPLE_QUERY[url];
  const qs = [sample, query].filter(Boolean).join('&');
  const res = await handlers.get(url)!(get(`${url}?${qs}`, API), ctx());
  return { status: res.status, body: (await res.json()) as never };
}

const FUTURE = ['5000-01-01', '9999-12-31T23:59:59.999Z', '2300-01-01T00:00:00Z', '2299-12-31T23:30:00-01:00'];
// Date.UTC maps years 0–99 to 1900–1999: "0001-01-01" must not quietly become 1901.
const PAST = ['1000-01-01', '1899-12-31T23:59:59Z', '0001-01-01', '0099-06-01T00:00:00Z'];

/** Queries that put one parameter out of range while the others stay sensible. */
function cases(name: 'from' | 'to' | 'as_of'): string[] {
  if (name === 'as_of') return [...FUTURE, ...PAST].map((v) => `as_of=${v}`);
  if (name === 'from') return [...PAST.map((v) => `from=${v}&to=2026-01-01`), ...FUTURE.map((v) => `from=${v}`)];
  return [...FUTURE.map((v) => `from=2026-01-01&to=${v}`), ...PAST.map((v) => `to=${v}`)];
}

function expect400(r: Awaited<ReturnType<typeof call>>, name: string, what: string) {
  expect.soft(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(400);
  expect.soft(r.body.error?.code, what).toBe('bad_request');
  expect.soft(r.body.error?.message, what).toMatch(new RegExp(`^${name}\\b`));
}

describe('time parameters outside the engine range', () => {
  it('every read endpoint has an entry (and every entry a route)', () => {
    expect([...handlers.keys()].sort()).toEqual(Object.keys(TIME_PARAMS).sort());
  });

  it('far-future and far-past values of each time parameter: 400 naming it', async () => {
    for (const [url, params] of Object.entries(TIME_PARAMS)) {
      for (const name of params) {
        if (name === 'tz' || name === 'period') continue;
        for (const q of cases(name)) expect400(await call(url, q), name, `${url}?${q}`);
      }
    }
  });

  it('a series with a time zone: far values refused before any bucket is computed', async () => {
    for (const q of ['from=2026-01-01&to=5000-01-01&tz=Europe/Berlin', 'from=1000-01-01&to=2026-01-01&tz=America/New_York', 'from=2299-12-01&to=2300-01-02&tz=Pacific/Kiritimati']) {
      const r = await call('/api/v1/kpi/sync-lag/series', q);
      expect400(r, '(from|to)', q);
    }
  });

  it('period: months outside 1900-01 … 2299-12 refused', async () => {
    for (const v of ['9999-12', '5000-01', '1000-01', '0001-01', '1899-12', '2300-01']) {
      expect400(await call('/api/v1/kpi/close-readiness', `period=${v}`), 'period', v);
    }
  });

  it('windows whose own arithmetic would leave the range: 400 naming the parameter', async () => {
    // Summary compares with the previous window of the same length: it would start before 1900.
    expect400(await call('/api/v1/kpi/summary', 'from=1950-01-01&to=2200-01-01'), 'from', 'summary previous window');
    // So do lag hints (metrics.md §10: the previous window's failure rate).
    expect400(await call('/api/v1/kpi/sync-lag/hints', 'from=1950-01-01&to=2200-01-01'), 'from', 'hints previous window');
    // Exception aging's default MTTR window is (as_of − 30 days, as_of].
    expect400(await call('/api/v1/kpi/exception-aging', 'as_of=1900-01-15'), 'as_of', 'aging as_of − 30 d');
    // Without from, a window is the 24 h before to.
    expect400(await call('/api/v1/kpi/sync-lag', 'to=1900-01-01T12:00:00Z'), 'to', 'default from = to − 24 h');
  });

  it('values at the edges of the range are answered (200), not refused', async () => {
    const ok = [
      '/api/v1/kpi/sync-lag?from=2299-12-30&to=2299-12-31T23:59:59Z',
      '/api/v1/kpi/sync-lag?from=1900-01-01&to=1900-01-02',
      '/api/v1/kpi/sync-lag/series?from=2299-12-01&to=2299-12-31&tz=Europe/Berlin',
      '/api/v1/kpi/summary?from=2299-12-30&to=2299-12-31',
      '/api/v1/kpi/sync-lag/hints?from=2299-12-30&to=2299-12-31T23:59:59Z',
      '/api/v1/kpi/exception-aging?as_of=2299-12-31',
      '/api/v1/kpi/invoice-latency?from=2299-12-30&to=2299-12-31&as_of=2299-12-31',
      '/api/v1/kpi/invoice-latency/unposted?as_of=2299-12-31',
      '/api/v1/kpi/drift?as_of=2299-12-31',
      '/api/v1/kpi/drift/skus?as_of=1900-02-01',
      '/api/v1/kpi/close-readiness?period=2299-12&as_of=2299-12-31T23:59:59.999Z',
      '/api/v1/kpi/summary?from=2299-12-01&to=2299-12-31T23:59:59.999Z',
      '/api/v1/kpi/close-readiness?period=1900-01&as_of=1900-02-01',
      '/api/v1/pipeline/health?from=2299-12-30&to=2299-12-31',
      '/api/v1/rejected?from=1900-01-01&to=2299-12-31',
    ];
    for (const u of ok) {
      const [p, q] = u.split('?') as [string, string];
      const r = await call(p, q);
      expect.soft(r.status, `${u}: ${JSON.stringify(r.body)}`).toBe(200);
    }
  });
});
