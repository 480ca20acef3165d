import { describe, expect, it } from 'vitest';
import { ingestLines } from '@/ingest/pipeline';
import { repairLookups } from '@/ingest/recovery';
import { ruleValues } from '@/lib/alerts/metrics';
import type { Rule } from '@/lib/alerts/rules';
import { closeReadiness } from '@/lib/kpi/close-readiness';
import { drift } from '@/lib/kpi/drift';
import { driftSkus } from '@/lib/kpi/drift-skus';
import { command, sql, unsafeRaw } from '@/lib/store';
import { businessEvent } from '../helpers/fixtures';
import { bothWays, H, iso, T0, useRollupTestStore, WH } from '../helpers/rollups';

/**
 * Drift from the inventory_latest rollup equals the raw answer: for an as_of after every snapshot (rollup),
 * before some (raw), with ties, NULL costs, other systems, late snapshots, a replayed duplicate row and a
 * snapshot whose view part was lost (repaired at startup).
 */
useRollupTestStore();


const snap = (id: string, wh: string, sku: string, system: string, at: number, quantity: number, unitCost?: number) =>
  businessEvent(
    'inventory.snapshot',
    { event_id: id, warehouse_id: wh, correlation_id: `INV-${wh}-${sku}`, workflow: 'inventory', source_system: system, occurred_at: iso(at) },
    { sku, quantity, ...(unitCost === undefined ? {} : { unit_cost: unitCost }) },
  );

function snapshots(days: number, prefix: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < 12; i++) {
      const wh = WH[i % WH.length]!;
      const sku = `SKU-${i % 5}`;
      const at = T0 + d * 24 * H + 23 * H + (i % 3) * 60_000;
      out.push(snap(`${prefix}-erp-${d}-${i}`, wh, sku, 'ERP', at, 100 + ((d * 7 + i) % 13), i % 4 === 0 ? undefined : 10 + (i % 3) * 0.35));
      if (i % 6 !== 5) out.push(snap(`${prefix}-wms-${d}-${i}`, wh, sku, 'WMS', at + 5 * 60_000, 100 + ((d * 11 + i) % 17), i % 2 ? 12.5 : undefined));
      if (i % 4 === 1) out.push(snap(`${prefix}-tie-${d}-${i}`, wh, sku, 'WMS', at + 5 * 60_000, 90)); // same time: the greater id wins
      if (i % 5 === 2) out.push(snap(`${prefix}-3pl-${d}-${i}`, wh, sku, '3PL', at, 1)); // not compared
    }
  }
  return out;
}

async function ingest(events: Record<string, unknown>[]) {
  for (let i = 0; i < events.length; i += 37) await ingestLines(events.slice(i, i + 37).map((value, j) => ({ line: j + 1, raw: '', value })));
}

const AS_OF = [T0 + 40 * 24 * H, T0 + 3 * 24 * H + 23 * H + 5 * 60_000, T0 + 2 * 24 * H];

async function expectRollupEqualsRaw() {
  for (const asOf of AS_OF) {
    const d = await bothWays(() => drift({ warehouses: null }, { asOf, requested: [] }));
    expect(d.rollup).toEqual(d.raw);
    const scoped = await bothWays(() => drift({ warehouses: [WH[1]!] }, { asOf, requested: [] }));
    expect(scoped.rollup).toEqual(scoped.raw);
    const skus = await bothWays(() => driftSkus({ warehouses: null }, { asOf, limit: 500 }));
    expect(skus.rollup).toEqual(skus.raw);
    const close = await bothWays(() => closeReadiness({ warehouses: null }, { period: { period: '2026-09', start: Date.parse('2026-09-01T00:00:00Z'), end: Date.parse('2026-10-01T00:00:00Z') }, asOf, requested: [] }));
    expect(close.rollup).toEqual(close.raw);
  }
  const rule = { id: 'd', kind: 'threshold', metric: 'drift_value', op: '>', value: 0, for_s: 0, group_by: ['warehouse_id'], match: {}, severity: 'high', notify: [] };
  // Alert values are a set of groups (no order).
  const byKey = async () => (await ruleValues(rule as unknown as Rule, AS_OF[0]!)).sort((x, y) => (x.key < y.key ? -1 : 1));
  const a = await bothWays(byKey);
  expect(a.rollup).toEqual(a.raw);
}

describe('inventory drift rollup == raw', { timeout: 240_000 }, () => {
  it('for as_of after and before the latest snapshots, through late data, duplicates and a repair', async () => {
    await ingest(snapshots(6, 'a'));
    await expectRollupEqualsRaw();
    // Late snapshots, earlier than what is stored: the latest does not change.
    await ingest(snapshots(2, 'late').map((e) => ({ ...e, occurred_at: iso(Date.parse(e.occurred_at as string) - 10 * 24 * H) })));
    await expectRollupEqualsRaw();
    // A block replayed after a crash: the same rows twice in events.
    await command(sql`INSERT INTO events SELECT * FROM events WHERE type = 'inventory.snapshot' AND event_id LIKE 'a-wms-5-%'`);
    await expectRollupEqualsRaw();
    // A snapshot whose view part was lost: the startup repair replays the recent tail into the rollup.
    await command(unsafeRaw('DETACH TABLE inventory_latest_mv'));
    await ingest([snap('lost-1', WH[0]!, 'SKU-0', 'WMS', T0 + 30 * 24 * H, 5, 1.25)]);
    await command(unsafeRaw('ATTACH TABLE inventory_latest_mv'));
    await repairLookups(Date.now());
    await expectRollupEqualsRaw();
  });
});
