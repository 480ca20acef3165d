import { beforeAll, describe, expect, it } from 'vitest';
import { ingestLines } from '@/ingest/pipeline';
import { ruleValues, type GroupValue } from '@/lib/alerts/metrics';
import { parseAlertRules, type Rule } from '@/lib/alerts/rules';
import { businessEvent } from '../helpers/fixtures';
import { expectQuantile } from '../helpers/quantile';
import { useTestStore } from '../helpers/store';

/**
 * Each alert metric against the fixture, computed here in plain TS (metrics.md definitions), per group,
 * including fields a population does not have (null) and `match` on them (nothing matches).
 */
useTestStore();

const S = 1000;
const H = 3_600_000;
const DAY = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();
const NOW = Math.floor(Date.now() / H) * H - 2 * DAY;
const WH = ['DC-A', 'DC-B', 'DC-C'] as const;
type Ev = Record<string, unknown> & { type: string; warehouse_id: string; attributes: Record<string, unknown> };

// ---- sync messages: 90 in the last hour, 10 older (outside a 3600 s window) ----
const STATUSES = ['delivered', 'delivered', 'failed', 'delivered', 'dead_lettered', 'retried'] as const;
const SOURCES = ['WMS', 'ERP'] as const;
const IFACES = ['pick_events', 'asn', null] as const;
const sync: Ev[] = Array.from({ length: 100 }, (_, i) => {
  const observed = i < 90 ? NOW - 60 * S - i * 30 * S : NOW - 2 * H - i * S;
  const iface = IFACES[i % 3];
  return {
    event_id: `m-${i}`, type: 'sync.message', warehouse_id: WH[i % 2]!, source_system: SOURCES[Math.floor(i / 2) % 2]!,
    target_system: i % 5 === 0 ? 'TMS' : 'ERP', correlation_id: `SM-${i}`,
    occurred_at: iso(observed - ((i * 37) % 500) * S), observed_at: iso(observed),
    attributes: { status: STATUSES[i % 6]!, ...(iface ? { interface: iface } : {}) },
  };
});

// ---- exceptions: opened over the last days; some resolved before NOW, one resolved after NOW ----
const SEV = ['critical', 'high', 'low'] as const;
const exc: Ev[] = [];
for (let i = 0; i < 30; i++) {
  const wh = WH[i % 3]!;
  const opened = NOW - (i + 1) * H;
  exc.push(businessEvent('exception.opened', { warehouse_id: wh, occurred_at: iso(opened) }, { exception_id: `X-${i}`, category: 'pricing', severity: SEV[i % 3]! }) as Ev);
  if (i % 4 === 0) exc.push(businessEvent('exception.resolved', { warehouse_id: wh, occurred_at: iso(opened + 10 * 60 * S) }, { exception_id: `X-${i}` }) as Ev);
  if (i === 5) exc.push(businessEvent('exception.resolved', { warehouse_id: wh, occurred_at: iso(NOW + H) }, { exception_id: `X-${i}` }) as Ev);
}
// DC-C: every exception resolved → an empty population there for the warehouse-grouped count.
for (const e of exc.filter((x) => x.type === 'exception.opened' && x.warehouse_id === 'DC-C')) {
  exc.push(businessEvent('exception.resolved', { warehouse_id: 'DC-C', occurred_at: iso(NOW - 1000) }, { exception_id: e.attributes.exception_id as string }) as Ev);
}

// ---- shipments / invoices: latency and unposted ----
const fin: Ev[] = [];
for (let i = 0; i < 24; i++) {
  const wh = WH[i % 3]!;
  const s = NOW - 5 * DAY + i * H;
  fin.push(businessEvent('shipment.confirmed', { warehouse_id: wh, correlation_id: `SO-${i}`, occurred_at: iso(s) }, { amount: 10 + i }) as Ev);
  if (i % 3 !== 1) fin.push(businessEvent('invoice.posted', { warehouse_id: 'DC-ANY', correlation_id: `SO-${i}`, occurred_at: iso(s + (i + 1) * 1800 * S) }) as Ev);
}

// ---- inventory snapshots: ERP vs WMS per (warehouse, sku) ----
const inv: Ev[] = [];
for (let i = 0; i < 12; i++) {
  const wh = WH[i % 3]!;
  const sku = `SKU-${i}`;
  inv.push(businessEvent('inventory.snapshot', { warehouse_id: wh, source_system: 'ERP', occurred_at: iso(NOW - DAY) }, { sku, quantity: 100, unit_cost: 2.5 + i }) as Ev);
  inv.push(businessEvent('inventory.snapshot', { warehouse_id: wh, source_system: 'WMS', occurred_at: iso(NOW - DAY) }, { sku, quantity: 100 + (i % 4) - 1 }) as Ev);
}

beforeAll(async () => {
  const all = [...sync, ...exc, ...fin, ...inv];
  const r = await ingestLines(all.map((value, i) => ({ line: i + 1, raw: '', value })), NOW);
  expect(r.rejected).toBe(0);
});

function rule(over: Record<string, unknown>): Rule {
  const base = { id: 'r', kind: 'threshold', op: '>', value: 0, severity: 'low' };
  return parseAlertRules(JSON.stringify([{ ...base, ...over }]), {})[0]!;
}
/** Non-empty groups only, keyed by the group's JSON. */
async function values(over: Record<string, unknown>): Promise<Map<string, number>> {
  const got: GroupValue[] = await ruleValues(rule(over), NOW);
  return new Map(got.filter((g) => g.value !== null).map((g) => [JSON.stringify(g.group), g.value!]));
}
function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return m;
}

describe('alert metrics reuse the KPI definitions', () => {
  const inWindow = sync.filter((e) => Date.parse(e.observed_at as string) >= NOW - H);

  it('sync_failure_rate by source and interface (absent interface groups as null), matched to one warehouse', async () => {
    const pop = inWindow.filter((e) => e.warehouse_id === 'DC-A');
    const key = (e: Ev) => JSON.stringify({ source_system: e.source_system, interface: (e.attributes.interface as string | undefined) ?? null });
    const expected = new Map<string, number>();
    for (const [k, n] of countBy(pop, key)) {
      const failed = pop.filter((e) => key(e) === k && ['failed', 'dead_lettered'].includes(e.attributes.status as string)).length;
      expected.set(k, failed / n);
    }
    const got = await values({ metric: 'sync_failure_rate', window_s: 3600, group_by: ['interface', 'source_system'], match: { warehouse_id: ['DC-A'] } });
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, v] of expected) expect(got.get(k)).toBeCloseTo(v, 12);
  });

  it('sync_messages with match on interface: null never matches; sync_lag_p95 by target over delivered', async () => {
    expect(await values({ metric: 'sync_messages', window_s: 3600, match: { interface: ['asn'] } })).toEqual(
      new Map([['{}', inWindow.filter((e) => e.attributes.interface === 'asn').length]]),
    );
    const got = await values({ metric: 'sync_lag_p95', window_s: 3600, group_by: ['target_system'] });
    for (const target of ['ERP', 'TMS']) {
      const lags = inWindow
        .filter((e) => e.target_system === target && e.attributes.status === 'delivered')
        .map((e) => (Date.parse(e.observed_at as string) - Date.parse(e.occurred_at as string)) / 1000);
      expectQuantile(got.get(JSON.stringify({ target_system: target })) ?? null, lags, 0.95);
    }
  });

  const openAt = exc.filter((e) => {
    if (e.type !== 'exception.opened') return false;
    const id = e.attributes.exception_id;
    return !exc.some((r) => r.type === 'exception.resolved' && r.attributes.exception_id === id && Date.parse(r.occurred_at as string) <= NOW);
  });

  it('open_exceptions per warehouse (a warehouse with none is an empty population), critical in total, interface null', async () => {
    const expected = new Map([...countBy(openAt, (e) => JSON.stringify({ warehouse_id: e.warehouse_id }))]);
    expect(expected.has('{"warehouse_id":"DC-C"}')).toBe(false);
    expect(await values({ metric: 'open_exceptions', group_by: ['warehouse_id'] })).toEqual(expected);
    const critical = openAt.filter((e) => e.attributes.severity === 'critical').length;
    expect(await values({ metric: 'open_exceptions_critical' })).toEqual(new Map([['{}', critical]]));
    const withIface = await values({ metric: 'open_exceptions', group_by: ['warehouse_id', 'interface'] });
    expect([...withIface.keys()].map((k) => JSON.parse(k) as Record<string, unknown>).every((g) => g.interface === null)).toBe(true);
    expect(await values({ metric: 'open_exceptions', match: { interface: ['asn'] } })).toEqual(new Map());
  });

  it('unposted_count and invoice_latency_p95 per shipping warehouse', async () => {
    const invoiced = new Map(fin.filter((e) => e.type === 'invoice.posted').map((e) => [e.correlation_id as string, Date.parse(e.occurred_at as string)]));
    const ships = fin.filter((e) => e.type === 'shipment.confirmed');
    const unposted = countBy(ships.filter((s) => !invoiced.has(s.correlation_id as string)), (s) => JSON.stringify({ warehouse_id: s.warehouse_id }));
    expect(await values({ metric: 'unposted_count', group_by: ['warehouse_id'] })).toEqual(unposted);
    const got = await values({ metric: 'invoice_latency_p95', window_s: 7 * 86_400, group_by: ['warehouse_id'] });
    for (const wh of WH) {
      const lats = ships
        .filter((s) => s.warehouse_id === wh && invoiced.has(s.correlation_id as string))
        .map((s) => (invoiced.get(s.correlation_id as string)! - Date.parse(s.occurred_at as string)) / 1000);
      expectQuantile(got.get(JSON.stringify({ warehouse_id: wh })) ?? null, lats, 0.95);
    }
  });

  it('drift_value per warehouse: Σ |WMS − ERP| × ERP unit cost, and nothing for another source field', async () => {
    const expected = new Map<string, number>();
    for (const wh of WH) {
      let v = 0;
      for (const erp of inv.filter((e) => e.warehouse_id === wh && e.source_system === 'ERP')) {
        const wms = inv.find((e) => e.source_system === 'WMS' && e.attributes.sku === erp.attributes.sku)!;
        v += Math.abs((wms.attributes.quantity as number) - (erp.attributes.quantity as number)) * (erp.attributes.unit_cost as number);
      }
      expected.set(JSON.stringify({ warehouse_id: wh }), Math.round(v * 100) / 100);
    }
    expect(await values({ metric: 'drift_value', group_by: ['warehouse_id'] })).toEqual(expected);
    expect(await values({ metric: 'drift_value', match: { source_system: ['ERP'] } })).toEqual(new Map());
  });
});
