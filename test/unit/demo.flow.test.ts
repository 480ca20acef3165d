import { describe, expect, it } from 'vitest';
import { generateDemo } from '@/ingest/demo';

/** The demo month has stuck and overdue transactions at several stages (metrics.md §8, default SLAs), computed here from the events. */
const STAGES: Record<string, string[]> = {
  order_to_cash: ['order.created', 'pick.confirmed', 'shipment.confirmed', 'invoice.posted', 'payment.received'],
  procure_to_pay: ['receipt.posted', 'invoice.posted', 'payment.received'],
  return_to_credit: ['return.received', 'credit.issued'],
  inventory: ['transfer.shipped', 'transfer.received'],
};
const H = 3600;
const SLA: Record<string, number> = { 'order.created': 24 * H, 'pick.confirmed': 24 * H, 'shipment.confirmed': 48 * H, 'invoice.posted': 45 * 24 * H, 'receipt.posted': 168 * H, 'return.received': 168 * H, 'transfer.shipped': 72 * H };

describe('demo month: Flow cases', () => {
  it('leaves overdue transactions at five stages and some waiting within their SLA', () => {
    const endMs = Date.parse('2026-10-31T00:00:00Z');
    type Ev = { event_id: string; type: string; occurred_at: string; workflow: string; correlation_id: string };
    const byCorr = new Map<string, Ev[]>();
    for (const e of generateDemo({ endMs }) as Iterable<Ev>) {
      if (e.type === 'sync.message' || e.type === 'inventory.snapshot' || e.type.startsWith('exception.')) continue;
      byCorr.set(e.correlation_id, [...(byCorr.get(e.correlation_id) ?? []), e]);
    }
    const overdue = new Map<string, number>();
    const within = new Map<string, number>();
    for (const evs of byCorr.values()) {
      evs.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at) || (a.event_id < b.event_id ? -1 : 1));
      const stages = STAGES[evs[0]!.workflow] ?? [];
      const reached = stages.filter((s) => evs.some((e) => e.type === s && Date.parse(e.occurred_at) <= endMs));
      const last = reached.at(-1);
      if (!last || last === stages.at(-1)) continue;
      const at = Math.min(...evs.filter((e) => e.type === last).map((e) => Date.parse(e.occurred_at)));
      const m = (endMs - at) / 1000 > SLA[last]! ? overdue : within;
      m.set(last, (m.get(last) ?? 0) + 1);
    }
    for (const s of ['order.created', 'pick.confirmed', 'shipment.confirmed', 'receipt.posted', 'transfer.shipped']) {
      expect(overdue.get(s) ?? 0, s).toBeGreaterThan(0);
    }
    expect([...within.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  });
});
