import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WAREHOUSES, demoIncident, demoOutage, generateDemo } from '@/ingest/demo';
import { validateEvent } from '@/lib/events/validate';

type Ev = Record<string, unknown> & { attributes: Record<string, unknown> };

const endMs = Date.parse('2026-10-31T18:00:00.000Z');
const H = 3_600_000;
const ms = (ts: unknown) => Date.parse(String(ts));

function take(n: number, seed?: number): unknown[] {
  const out: unknown[] = [];
  for (const ev of generateDemo({ endMs, seed })) {
    out.push(ev);
    if (out.length >= n) break;
  }
  return out;
}

describe('generateDemo', () => {
  let events: Ev[] = [];
  beforeAll(() => {
    events = [...generateDemo({ endMs })] as Ev[];
  });
  const ofType = (type: string) => events.filter((e) => e.type === type);

  it('is deterministic for a seed and varies with it', () => {
    expect(take(1000)).toEqual(take(1000));
    expect(take(1000, 7)).toEqual(take(1000, 7));
    expect(take(1000, 7)).not.toEqual(take(1000));
  });

  it('yields a realistic volume with unique, stable event ids', () => {
    expect(events.length).toBeGreaterThan(60_000);
    expect(events.length).toBeLessThan(120_000);
    const ids = new Set(events.map((e) => e.event_id));
    expect(ids.size).toBe(events.length);
    expect(events[0]?.event_id).toBe('demo-0');
  });

  it('every event validates against the canonical model', () => {
    const failures = events.map((e) => validateEvent(e, endMs)).filter((r) => !r.ok);
    expect(failures.slice(0, 3)).toEqual([]);
  });

  it('never speaks as the tower: its triage history comes from a service desk feed', () => {
    expect(events.filter((e) => e.source_system === 'control-tower')).toEqual([]);
    expect(ofType('exception.resolved').length).toBeGreaterThan(0);
    expect(new Set(ofType('exception.acknowledged').map((e) => e.source_system))).toEqual(new Set(['SERVICEDESK']));
  });

  it('never stamps anything after endMs or before 2000', () => {
    const floor = Date.UTC(2000, 0, 1);
    const format = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    const bad = events.filter((e) =>
      [e.occurred_at, e.observed_at].some((ts) => ts !== undefined && (!format.test(String(ts)) || ms(ts) > endMs || ms(ts) < floor)),
    );
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it('covers at least 8 warehouses', () => {
    expect(DEMO_WAREHOUSES.length).toBeGreaterThanOrEqual(8);
    expect(new Set(events.map((e) => e.warehouse_id)).size).toBeGreaterThanOrEqual(8);
  });

  it('has complete order-to-cash chains', () => {
    const stages = ['order.created', 'pick.confirmed', 'shipment.confirmed', 'invoice.posted', 'payment.received'];
    const byCorr = new Map<unknown, Set<unknown>>();
    for (const e of events) {
      if (e.workflow !== 'order_to_cash' || !stages.includes(String(e.type))) continue;
      const s = byCorr.get(e.correlation_id) ?? new Set();
      s.add(e.type);
      byCorr.set(e.correlation_id, s);
    }
    const complete = [...byCorr.values()].filter((s) => s.size === stages.length).length;
    expect(complete).toBeGreaterThan(1000);
    // Recent orders have not got that far yet.
    expect(complete).toBeLessThan(byCorr.size);
  });

  it('has one warehouse outage with lag spikes and none elsewhere', () => {
    const outage = demoOutage({ endMs });
    expect(outage).not.toBeNull();
    if (!outage) return;
    const maxLag = new Map<unknown, number>();
    let normalMax = 0;
    let outageFailures = 0;
    let outageMessages = 0;
    for (const e of ofType('sync.message')) {
      const at = ms(e.occurred_at);
      const inOutage = e.warehouse_id === outage.warehouse && at >= outage.startMs && at < outage.endMs;
      if (inOutage) {
        outageMessages++;
        if (e.attributes.status === 'failed' || e.attributes.status === 'dead_lettered') outageFailures++;
      }
      if (e.attributes.status !== 'delivered') continue;
      const lag = ms(e.observed_at) - at;
      maxLag.set(e.warehouse_id, Math.max(maxLag.get(e.warehouse_id) ?? 0, lag));
      if (!inOutage) normalMax = Math.max(normalMax, lag);
    }
    const spiking = [...maxLag].filter(([, lag]) => lag > 20 * 60_000).map(([wh]) => wh);
    expect(spiking).toEqual([outage.warehouse]);
    expect(normalMax).toBeLessThan(20 * 60_000);
    expect(outageFailures / outageMessages).toBeGreaterThan(0.05);
  });

  it('has one failing interface in the last day that leads its warehouse\'s lag hints (metrics.md §10) at the default 24 h window', () => {
    const incident = demoIncident({ endMs });
    expect(incident).not.toBeNull();
    if (!incident) return;
    expect(incident.startMs).toBeGreaterThanOrEqual(endMs - 24 * H);
    const name = `WMS>ERP>${incident.iface}`;
    for (const slo of [300, 240]) {
      const groups = new Map<string, { n: number; fail: number; over: number; prevN: number; prevFail: number }>();
      for (const e of ofType('sync.message')) {
        if (e.warehouse_id !== incident.warehouse) continue;
        const seen = ms(e.observed_at);
        const cur = seen >= endMs - 24 * H && seen < endMs;
        if (!cur && !(seen >= endMs - 48 * H && seen < endMs - 24 * H)) continue;
        const key = `${String(e.source_system)}>${String(e.target_system)}>${String(e.attributes.interface)}`;
        const g = groups.get(key) ?? { n: 0, fail: 0, over: 0, prevN: 0, prevFail: 0 };
        const failed = e.attributes.status === 'failed' || e.attributes.status === 'dead_lettered';
        if (cur) {
          g.n++;
          if (failed) g.fail++;
          if (e.attributes.status === 'delivered' && seen - ms(e.occurred_at) > slo * 1000) g.over++;
        } else {
          g.prevN++;
          if (failed) g.prevFail++;
        }
        groups.set(key, g);
      }
      const overAll = [...groups.values()].reduce((a, g) => a + g.over, 0);
      const hit = groups.get(name)!;
      expect(hit.over / overAll).toBeGreaterThanOrEqual(0.5);
      for (const [k, g] of groups) if (k !== name) expect(g.over).toBeLessThan(hit.over);
      expect(hit.fail / hit.n).toBeGreaterThan(Math.max(0.05, (2 * hit.prevFail) / Math.max(1, hit.prevN)));
    }
  });

  it('leaves an aged exception backlog open at endMs, including critical finance ones', () => {
    const resolved = new Set(ofType('exception.resolved').map((e) => e.attributes.exception_id));
    const open = ofType('exception.opened').filter((e) => !resolved.has(e.attributes.exception_id));
    expect(open.length).toBeGreaterThan(20);
    expect(open.some((e) => endMs - ms(e.occurred_at) > 7 * 24 * H)).toBe(true);
    const critical = open.filter((e) => e.attributes.severity === 'critical' && e.workflow === 'order_to_cash');
    expect(critical.length).toBeGreaterThanOrEqual(2);
  });

  it('has shipments never invoiced and a few invoices before their shipment', () => {
    const shippedAt = new Map(ofType('shipment.confirmed').map((e) => [e.correlation_id, ms(e.occurred_at)]));
    const invoicedAt = new Map(ofType('invoice.posted').map((e) => [e.correlation_id, ms(e.occurred_at)]));
    const stale = [...shippedAt].filter(([c, s]) => !invoicedAt.has(c) && endMs - s > 48 * H);
    expect(stale.length / shippedAt.size).toBeGreaterThan(0.01);
    expect(stale.length / shippedAt.size).toBeLessThan(0.06);
    const negative = [...shippedAt].filter(([c, s]) => (invoicedAt.get(c) ?? Infinity) < s);
    expect(negative.length).toBeGreaterThan(0);
  });

  it('ends with ERP/WMS drift at a couple of warehouses only', () => {
    const latest = new Map<string, Ev>();
    for (const e of ofType('inventory.snapshot')) {
      const key = `${String(e.source_system)}|${String(e.correlation_id)}`;
      const prev = latest.get(key);
      if (!prev || ms(e.occurred_at) > ms(prev.occurred_at)) latest.set(key, e);
    }
    const drifting = new Set<unknown>();
    for (const [key, erp] of latest) {
      if (!key.startsWith('ERP|')) continue;
      const wms = latest.get(`WMS|${String(erp.correlation_id)}`);
      if (wms && wms.attributes.quantity !== erp.attributes.quantity) drifting.add(erp.warehouse_id);
    }
    expect(drifting.size).toBeGreaterThanOrEqual(2);
    expect(drifting.size).toBeLessThan(DEMO_WAREHOUSES.length);
  });

  it('includes hostile but legal correlation ids', () => {
    const ids = new Set(ofType('order.created').map((e) => String(e.correlation_id)));
    const hostile = [...ids].filter((id) => /["\s/\\%]|\p{Extended_Pictographic}/u.test(id));
    expect(hostile.length).toBeGreaterThanOrEqual(4);
    for (const id of hostile) expect(JSON.parse(JSON.stringify(id))).toBe(id);
  });
});
