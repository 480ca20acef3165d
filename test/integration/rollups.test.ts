import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingestLines } from '@/ingest/pipeline';
import { listWarehouses } from '@/lib/kpi/common';
import { syncMessage, businessEvent } from '../helpers/fixtures';
import { useTestStore } from '../helpers/store';

/** Every rollup-backed answer equals the raw-table answer on the same data (CT_FORCE_RAW=1 routes to raw). */
useTestStore();
afterEach(() => {
  delete process.env.CT_FORCE_RAW;
});

const WH = ['DC-1', `DC-"2"`, 'Lager Köln', 'DC-4'];
beforeAll(async () => {
  const events = [
    ...WH.slice(0, 3).flatMap((w) => [syncMessage({ warehouse_id: w }), businessEvent('order.created', { warehouse_id: w })]),
    businessEvent('inventory.snapshot', { warehouse_id: 'DC-4', source_system: 'WMS' }, { sku: 'S', quantity: 1 }),
  ];
  // Two batches, so the rollup holds unmerged partial rows for the same warehouse.
  await ingestLines(events.slice(0, 3).map((value, i) => ({ line: i + 1, raw: '', value })), Date.now());
  await ingestLines(events.slice(3).map((value, i) => ({ line: i + 1, raw: '', value })), Date.now());
});

async function both<T>(fn: () => Promise<T>): Promise<[T, T]> {
  const rolled = await fn();
  process.env.CT_FORCE_RAW = '1';
  const raw = await fn();
  delete process.env.CT_FORCE_RAW;
  return [rolled, raw];
}

describe('rollups equal the raw table', () => {
  it('warehouse list, for every scope', async () => {
    for (const scope of [{ warehouses: null }, { warehouses: ['DC-1', 'Lager Köln', 'NOPE'] }, { warehouses: [] }]) {
      const [rolled, raw] = await both(() => listWarehouses(scope, []));
      expect(rolled).toEqual(raw);
    }
    expect((await listWarehouses({ warehouses: null }, [])).sort()).toEqual([...WH].sort());
  });
});
