import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/exception-aging/route';
import { ingestLines } from '@/ingest/pipeline';
import { exceptionAging, exceptionAgingResponse, type ExceptionAgingResponse } from '@/lib/kpi/exception-aging';
import { exampleEvents } from '../helpers/fixtures';
import { ctx, get, INGEST } from '../helpers/http';
import { expectQuantile } from '../helpers/quantile';
import { useTestStore } from '../helpers/store';

useTestStore();

const A = Date.parse('2026-10-20T00:00:00Z');
const H = 3_600_000;
const DAY = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();
const WH = ['DC-EAST', `DC-"Q'uoted"`, 'Lager-Köln-Ü'] as const;
const SEV = ['critical', 'high', 'medium', 'low'] as const;
type Ev = Record<string, unknown>;

let seq = 0;
const opened = (id: string, wh: string, at: number, severity: string, eventId = `op-${++seq}`): Ev => ({
  event_id: eventId, type: 'exception.opened', occurred_at: iso(at), source_system: 'MIDDLEWARE', warehouse_id: wh,
  correlation_id: `C-${id}`, workflow: 'order_to_cash', attributes: { exception_id: id, category: 'sync_failure', severity },
});
const follow = (type: string, id: string, wh: string, at: number, attrs: Ev = {}): Ev => ({
  event_id: `fu-${++seq}`, type, occurred_at: iso(at), source_system: 'SERVICEDESK', warehouse_id: wh,
  correlation_id: `C-${id}`, attributes: { exception_id: id, ...attrs },
});

const batch1: Ev[] = [...exampleEvents()];
// Every bucket boundary, in a warehouse of its own so its expectations can be written literally.
const BOUNDARY_AGES = [0, 4 * H - 1, 4 * H, 24 * H - 1, 24 * H, 72 * H - 1, 72 * H, 168 * H - 1, 168 * H, 30 * DAY];
BOUNDARY_AGES.forEach((age, i) => batch1.push(opened(`B-${i}`, 'DC-BOUND', A - age, SEV[i % 4]!)));
// A varied population: resolutions before and after as_of, some recorded under another warehouse.
for (let i = 0; i < 60; i++) {
  const wh = WH[i % 3]!;
  const at = A - ((i * 7919 * 60_000) % (400 * H)) - 1000;
  batch1.push(opened(`G-${i}`, wh, at, SEV[(i * 3) % 4]!));
  if (i % 7 === 2) batch1.push(follow('exception.acknowledged', `G-${i}`, wh, at + 60_000));
  if (i % 3 === 0) {
    const resWh = i % 5 === 0 ? WH[(i + 1) % 3]! : wh;
    batch1.push(follow('exception.resolved', `G-${i}`, resWh, at + ((i * 104_729 * 1000) % (60 * H)) + 1000));
  }
}
batch1.push(
  // Opened twice: the earlier one (another warehouse, critical) counts.
  opened('X-TWICE', WH[0], A - 2 * H, 'low', 'tw-b'),
  opened('X-TWICE', WH[1], A - 10 * H, 'critical', 'tw-z'),
  // Opened twice at the same instant: the smaller event_id counts.
  opened('X-TIE', WH[0], A - H, 'high', 'tie-y0'),
  opened('X-TIE', WH[2], A - H, 'medium', 'tie-x1'),
  // Resolved twice: the first resolution is the one timed.
  opened('X-RR', WH[1], A - 20 * H, 'low'),
  follow('exception.resolved', 'X-RR', WH[1], A - 10 * H),
  follow('exception.resolved', 'X-RR', WH[1], A - 5 * H),
  // Opened after as_of; resolved after as_of (still open at as_of); resolved exactly at as_of.
  opened('X-AFTER', WH[2], A + 1, 'critical'),
  opened('X-RES-AFTER', WH[2], A - 2 * H, 'high'),
  follow('exception.resolved', 'X-RES-AFTER', WH[2], A + 1),
  opened('X-AT-A', WH[0], A - 5 * H, 'medium'),
  follow('exception.resolved', 'X-AT-A', WH[0], A),
  opened('X-AT-FROM', WH[0], A - 60 * H, 'medium'),
  follow('exception.resolved', 'X-AT-FROM', WH[0], A - 48 * H),
  // Resolved under another warehouse: still resolved, and timed for its own warehouse.
  opened('X-CROSS', 'DC-CROSS', A - 50 * H, 'high'),
  follow('exception.resolved', 'X-CROSS', 'DC-OTHER', A - H),
  // Follow-ups of an exception that was never opened are ignored.
  follow('exception.resolved', 'X-ORPHAN', 'DC-ORPHAN', A - H),
);
// A later batch: exact repeats, plus a same-id event with other content (the stored copy wins).
const batch2: Ev[] = [
  ...batch1.slice(0, 40),
  { ...opened('X-TWICE', WH[2], A - 100 * H, 'low', 'tw-z') },
  { ...follow('exception.resolved', 'X-TWICE', WH[1], A - H), event_id: 'tw-b' },
];

/** The model: metrics.md §2 in plain TS over the deduplicated fixture. */
type Exc = { wh: string; sev: string; opened: number; resolved: number | null };
function model(): Map<string, Exc> {
  const seen = new Set<string>();
  const events = [...batch1, ...batch2].filter((e) => !seen.has(e.event_id as string) && seen.add(e.event_id as string));
  const out = new Map<string, Exc>();
  const key = (e: Ev) => [Date.parse(e.occurred_at as string), e.event_id as string] as const;
  const byTime = [...events].sort((a, b) => key(a)[0] - key(b)[0] || (key(a)[1] < key(b)[1] ? -1 : 1));
  for (const e of byTime) {
    const at = (e.attributes ?? {}) as Record<string, string>;
    if (e.type === 'exception.opened' && !out.has(at.exception_id!)) {
      out.set(at.exception_id!, { wh: e.warehouse_id as string, sev: at.severity!, opened: key(e)[0], resolved: null });
    }
  }
  for (const e of byTime) {
    const x = out.get(((e.attributes ?? {}) as Record<string, string>).exception_id ?? '');
    if (e.type === 'exception.resolved' && x && x.resolved === null) x.resolved = key(e)[0];
  }
  return out;
}
const allWarehouses = () => [...new Set([...batch1, ...batch2].map((e) => e.warehouse_id as string))].sort();

function expectRow(got: ExceptionAgingResponse['total'], xs: Exc[], asOf: number, inWindow: (r: number) => boolean) {
  const open = xs.filter((x) => x.opened <= asOf && !(x.resolved !== null && x.resolved <= asOf));
  const ages = open.map((x) => asOf - x.opened);
  const b = (lo: number, hi: number) => ages.filter((a) => a >= lo && a < hi).length;
  expect(got.open).toBe(open.length);
  expect(got.buckets).toEqual({ lt_4h: b(0, 4 * H), h4_24: b(4 * H, 24 * H), d1_3: b(24 * H, 72 * H), d3_7: b(72 * H, 168 * H), gt_7d: b(168 * H, Infinity) });
  expect(got.by_severity).toEqual(Object.fromEntries(SEV.map((s) => [s, open.filter((x) => x.sev === s).length])));
  expect(got.oldest_age_seconds).toBe(ages.length ? Math.max(...ages) / 1000 : null);
  const ttr = xs.filter((x) => x.resolved !== null && inWindow(x.resolved)).map((x) => (x.resolved! - x.opened) / 1000);
  expectQuantile(got.mttr_seconds, ttr, 0.5);
}

function expectAll(body: ExceptionAgingResponse, asOf: number, inWindow: (r: number) => boolean, whs = allWarehouses()) {
  const xs = [...model().values()];
  expect(body.warehouses.map((w) => w.warehouse_id)).toEqual(whs);
  for (const w of body.warehouses) expectRow(w, xs.filter((x) => x.wh === w.warehouse_id), asOf, inWindow);
  expectRow(body.total, xs.filter((x) => whs.includes(x.wh)), asOf, inWindow);
}

beforeAll(async () => {
  const lines = (evs: Ev[]) => evs.map((value, i) => ({ line: i + 1, raw: '', value }));
  const r1 = await ingestLines(lines(batch1), A + 30 * DAY);
  expect(r1.rejected).toBe(0);
  const r2 = await ingestLines(lines(batch2), A + 30 * DAY);
  expect(r2).toMatchObject({ accepted: 0, duplicates: batch2.length });
});

async function call(qs: string, headers?: Record<string, string>) {
  const res = await GET(get(`/api/v1/kpi/exception-aging?${qs}`, headers), ctx());
  return { status: res.status, body: (await res.json()) as unknown };
}
const ok = async (qs: string) => {
  const r = await call(qs);
  expect(r.status).toBe(200);
  return exceptionAgingResponse.parse(r.body);
};

describe('GET /api/v1/kpi/exception-aging', () => {
  it('answers exactly the api.md shape', async () => {
    const r = await call(`as_of=${iso(A)}`);
    const body = r.body as Record<string, Record<string, unknown>[]>;
    expect(Object.keys(body).sort()).toEqual(['as_of', 'total', 'warehouses']);
    expect(Object.keys(body.warehouses![0]!).sort()).toEqual(['buckets', 'by_severity', 'mttr_seconds', 'oldest_age_seconds', 'open', 'warehouse_id']);
    expect(Object.keys(body.warehouses![0]!.buckets!).sort()).toEqual(['d1_3', 'd3_7', 'gt_7d', 'h4_24', 'lt_4h']);
    expect(exceptionAgingResponse.parse(r.body).as_of).toBe('2026-10-20T00:00:00.000Z');
  });

  it('puts every bucket boundary in the right bucket (exactly 4 h is h4_24)', async () => {
    const body = await ok(`as_of=${iso(A)}&warehouse=DC-BOUND`);
    expect(body.total).toEqual({
      open: 10, oldest_age_seconds: 30 * 86_400, mttr_seconds: null,
      buckets: { lt_4h: 2, h4_24: 2, d1_3: 2, d3_7: 2, gt_7d: 2 },
      by_severity: { critical: 3, high: 3, medium: 2, low: 2 },
    });
  });

  it('matches the model per warehouse and in total, default mttr window (as_of − 30 d, as_of]', async () => {
    const body = await ok(`as_of=${iso(A)}`);
    expectAll(body, A, (r) => r > A - 30 * DAY && r <= A);
  });

  it('opened twice → the earliest counts; resolved after as_of → still open; after as_of → not yet open', async () => {
    const body = await ok(`as_of=${iso(A)}&warehouse=${encodeURIComponent(WH[1])}`);
    const xs = [...model().values()].filter((x) => x.wh === WH[1]);
    expect(xs.some((x) => x.sev === 'critical' && x.opened === A - 10 * H)).toBe(true);
    expectRow(body.total, xs, A, (r) => r > A - 30 * DAY && r <= A);
    const m = model();
    expect(m.get('X-TIE')).toMatchObject({ wh: WH[2], sev: 'medium' });
    const just = await ok(`as_of=${iso(A - 1)}&warehouse=${encodeURIComponent(WH[2])}`);
    expectRow(just.total, [...m.values()].filter((x) => x.wh === WH[2]), A - 1, (r) => r > A - 1 - 30 * DAY && r <= A - 1);
  });

  it('an explicit window [from, to) includes from and excludes to', async () => {
    const body = await ok(`as_of=${iso(A)}&from=${iso(A - 48 * H)}&to=${iso(A)}`);
    expectAll(body, A, (r) => r >= A - 48 * H && r < A);
    const onlyTo = await ok(`as_of=${iso(A)}&to=${iso(A)}`);
    expectAll(onlyTo, A, (r) => r >= A - DAY && r < A);
    const before = Date.now();
    const onlyFrom = await ok(`as_of=${iso(A)}&from=2000-01-01`);
    expectAll(onlyFrom, A, (r) => r >= Date.UTC(2000, 0, 1) && r < before);
  });

  it('scope follows the opened warehouse: a resolve recorded elsewhere still resolves it', async () => {
    const body = await exceptionAging({ warehouses: ['DC-CROSS'] }, { asOf: A, requested: [] });
    expect(body.warehouses.map((w) => w.warehouse_id)).toEqual(['DC-CROSS']);
    expect(body.total).toMatchObject({ open: 0, oldest_age_seconds: null, mttr_seconds: 49 * 3600 });
    const other = await exceptionAging({ warehouses: ['DC-OTHER', 'DC-ORPHAN'] }, { asOf: A, requested: [] });
    expect(other.total).toMatchObject({ open: 0, mttr_seconds: null });
    expect(other.warehouses.map((w) => w.warehouse_id)).toEqual(['DC-ORPHAN', 'DC-OTHER']);
  });

  it('an empty population: zeros, nulls, every warehouse still listed', async () => {
    const body = await ok('as_of=2020-01-01');
    const zero = { open: 0, oldest_age_seconds: null, mttr_seconds: null, buckets: { lt_4h: 0, h4_24: 0, d1_3: 0, d3_7: 0, gt_7d: 0 }, by_severity: { critical: 0, high: 0, medium: 0, low: 0 } };
    expect(body.total).toEqual(zero);
    expect(body.warehouses).toEqual(allWarehouses().map((w) => ({ warehouse_id: w, ...zero })));
    const emptyWindow = await ok(`as_of=${iso(A)}&from=2020-01-01&to=2020-01-02`);
    expectAll(emptyWindow, A, () => false);
    expect(emptyWindow.warehouses.every((w) => w.mttr_seconds === null) && emptyWindow.total.open > 0).toBe(true);
    const none = await ok(`as_of=${iso(A)}&warehouse=NO-DATA`);
    expect(none.warehouses).toEqual([{ warehouse_id: 'NO-DATA', ...zero }]);
  });

  it('reproduces the worked example of metrics.md (EXC-31, DC-ATL)', async () => {
    const noon = await ok('as_of=2026-10-14T12:00:00Z&warehouse=DC-ATL');
    expect(noon.total).toMatchObject({ open: 1, oldest_age_seconds: 470, buckets: { lt_4h: 1, h4_24: 0, d1_3: 0, d3_7: 0, gt_7d: 0 } });
    expect(noon.total.by_severity).toEqual({ critical: 0, high: 1, medium: 0, low: 0 });
    const one = await ok('as_of=2026-10-14T13:00:00Z&warehouse=DC-ATL');
    expect(one.total).toMatchObject({ open: 0, oldest_age_seconds: null, mttr_seconds: 4070 });
  });

  it('400 for bad times, 401 without a token, 403 for the ingest token', async () => {
    expect((await call('as_of=soon')).status).toBe(400);
    expect((await call('from=2026-10-15&to=2026-10-14')).status).toBe(400);
    expect((await call('as_of=2026-10-14T12:00:00 02:00')).status).toBe(200);
    expect((await call('', {})).status).toBe(401);
    expect((await call('', INGEST)).status).toBe(403);
  });
});
