import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '@/app/api/v1/kpi/summary/route';
import { ingestLines } from '@/ingest/pipeline';
import { summaryResponse } from '@/lib/kpi/summary';
import { businessEvent, syncMessage } from '../helpers/fixtures';
import { ctx, get, INGEST } from '../helpers/http';
import { useTestStore } from '../helpers/store';

useTestStore();
const iso = (s: string) => new Date(s).toISOString();
const at = (s: string, plusS: number) => new Date(Date.parse(s) + plusS * 1000).toISOString();

/*
 * Window [2026-10-14, 2026-10-15), previous [2026-10-13, 2026-10-14). Expected values by hand:
 * - sync lag p95: A has 20 delivered at 1000 s + 1 failed, B 10 delivered at 10 s → total p95 = 1000
 *   (nearest-rank ranks 28..30 of 30 are all 1000) → breach; previous window: A 5 × 200 s → 200.
 * - failure rate: 1 / 31 → warn (≥ 1 %, < 5 %); previous 0.
 * - critical open exceptions at `to`: B's EXC-C1 (opened 10-14 10:00) → 1 → warn; previous 0.
 * - invoice latency p95: B shipped 10-13 00:00, invoiced 10-14 12:00 → 129600 s → warn (≥ 24 h, < 48 h).
 * - unposted: A shipped 10-11 (100.10), never invoiced → 4 days old > 48 h → breach; previous also
 *   counts B's 50.00 shipment (not yet invoiced at 10-14 00:00) → 150.10, change −50.
 * - close 2026-10: A blocked (old unposted), B blocked (critical finance exception) → blocked.
 * - transactions overdue (metrics.md §8 at `to`): SO-A1 waits at shipment.confirmed since 10-11 (4 d > 48 h)
 *   → 1, amount 100.10 → warn (> 0, < 100); SO-B1 waits at invoice.posted (12 h of 45 d). Previous (at
 *   10-14): SO-A1 3 d → 1; SO-B1 shipped 1 d before → not overdue. So A gains a warn.
 */
const fixture = [
  ...Array.from({ length: 20 }, (_, i) => syncMessage({ warehouse_id: 'A', occurred_at: at('2026-10-14T01:00:00Z', i * 60), observed_at: at('2026-10-14T01:00:00Z', i * 60 + 1000) })),
  syncMessage({ warehouse_id: 'A', occurred_at: iso('2026-10-14T05:00:00Z'), observed_at: iso('2026-10-14T05:00:01Z') }, { status: 'failed' }),
  ...Array.from({ length: 10 }, (_, i) => syncMessage({ warehouse_id: 'B', occurred_at: at('2026-10-14T02:00:00Z', i * 60), observed_at: at('2026-10-14T02:00:00Z', i * 60 + 10) })),
  ...Array.from({ length: 5 }, (_, i) => syncMessage({ warehouse_id: 'A', occurred_at: at('2026-10-13T03:00:00Z', i * 60), observed_at: at('2026-10-13T03:00:00Z', i * 60 + 200) })),
  businessEvent('exception.opened', { warehouse_id: 'B', correlation_id: 'SO-B1', occurred_at: iso('2026-10-14T10:00:00Z') }, { exception_id: 'EXC-C1', category: 'credit_hold', severity: 'critical' }),
  businessEvent('shipment.confirmed', { warehouse_id: 'A', correlation_id: 'SO-A1', occurred_at: iso('2026-10-11T00:00:00Z') }, { amount: 100.1 }),
  businessEvent('shipment.confirmed', { warehouse_id: 'B', correlation_id: 'SO-B1', occurred_at: iso('2026-10-13T00:00:00Z') }, { amount: 50 }),
  businessEvent('invoice.posted', { warehouse_id: 'B', correlation_id: 'SO-B1', occurred_at: iso('2026-10-14T12:00:00Z') }, { amount: 50 }),
];

beforeAll(async () => {
  await ingestLines(fixture.map((value, i) => ({ line: i + 1, raw: '', value })), Date.parse('2026-11-20T00:00:00Z'));
});

describe('GET /api/v1/kpi/summary', () => {
  it('values, changes and statuses for the window and the previous one', async () => {
    const res = await GET(get('/api/v1/kpi/summary?from=2026-10-14&to=2026-10-15'), ctx());
    expect(res.status).toBe(200);
    const body = summaryResponse.parse(await res.json());
    expect(body.previous).toEqual({ from: '2026-10-13T00:00:00.000Z', to: '2026-10-14T00:00:00.000Z' });
    const k = Object.fromEntries(body.kpis.map((x) => [x.key, x]));
    expect(k.sync_lag_p95).toMatchObject({ value: 1000, previous: 200, change: 800, status: 'breach' });
    expect(k.failure_rate!.value).toBeCloseTo(1 / 31, 12);
    expect(k.failure_rate).toMatchObject({ previous: 0, status: 'warn' });
    expect(k.open_exceptions_critical).toMatchObject({ value: 1, previous: 0, change: 1, status: 'warn' });
    expect(k.invoice_latency_p95).toMatchObject({ value: 129600, previous: null, change: null, status: 'warn' });
    expect(k.unposted_amount).toMatchObject({ value: 100.1, previous: 150.1, status: 'breach' });
    expect(k.unposted_amount!.change).toBeCloseTo(-50, 9);
    expect(k.drift_value).toMatchObject({ value: 0, change: 0, status: 'ok' });
    expect(k.close_status).toMatchObject({ value: 'blocked', previous: 'blocked', change: null, status: 'breach' });
    expect(k.transactions_overdue).toMatchObject({ value: 1, previous: 1, change: 0, status: 'warn', amount: 100.1 });
    expect(body.heat.find((h) => h.warehouse_id === 'B')!.kpis.transactions_overdue).toEqual({ value: 0, status: 'ok' });
    expect(body.worst_warehouses).toEqual([
      { warehouse_id: 'A', breaches: 3, warns: 2 },
      { warehouse_id: 'B', breaches: 1, warns: 2 },
    ]);
    expect(body.heat.find((h) => h.warehouse_id === 'B')!.kpis.invoice_latency_p95).toEqual({ value: 129600, status: 'warn' });
  });

  it('401 / 403', async () => {
    expect((await GET(get('/api/v1/kpi/summary', {}), ctx())).status).toBe(401);
    expect((await GET(get('/api/v1/kpi/summary', INGEST), ctx())).status).toBe(403);
  });
});

describe('transactions_overdue thresholds', () => {
  it('breach at 100 overdue transactions, configurable', async () => {
    const { parseConfig } = await import('@/lib/config/slo');
    const { statusOf } = await import('@/lib/kpi/summary-status');
    const base = { sync_lag_p95: null, failure_rate: 0, open_exceptions_critical: 0, invoice_latency_p95: null, unposted_amount: 0, unposted_oldest_age: null, unposted_count: 0, drift_value: 0, close_status: 'ready' as const, transactions_overdue_amount: 0 };
    const cfg = parseConfig('{}');
    expect([0, 1, 99, 100].map((n) => statusOf('transactions_overdue', { ...base, transactions_overdue: n }, cfg))).toEqual(['ok', 'warn', 'warn', 'breach']);
    const custom = parseConfig('{"summary":{"transactions_overdue":{"warn":10,"breach":20}}}');
    expect([9, 10, 20].map((n) => statusOf('transactions_overdue', { ...base, transactions_overdue: n }, custom))).toEqual(['ok', 'warn', 'breach']);
  });
});
