import type { DemoEvent } from './emit';
import { DAY, HOUR } from './model';

/**
 * Scripted Flow cases (metrics.md §8) so the Flow page shows stuck work at several stages on the first
 * start, beyond what the generator's own chains leave behind (held orders at order.created, shipments
 * never invoiced, returns awaiting credit): orders picked but not shipped, receipts with no vendor invoice,
 * and inter-DC transfers (workflow `inventory`) shipped but never received, each some overdue and one
 * within its SLA. Fixed times before `endMs`, ids of their own (`demo-flow-*`), and no SKU or quantity, so
 * stock and drift figures are untouched. No random draws: the main stream stays the same.
 */
interface Case {
  corr: string;
  wh: string;
  workflow: string;
  doc: string;
  /** [type, source, age before endMs, amount?] in order. */
  steps: readonly (readonly [string, string, number, number?])[];
}

const CASES: readonly Case[] = [
  { corr: 'SO-FLOW-901', wh: 'DC-NJ', workflow: 'order_to_cash', doc: 'SO901', steps: [['order.created', 'ECOM', 3 * DAY, 4_180], ['pick.confirmed', 'WMS', 2.6 * DAY]] },
  { corr: 'SO-FLOW-902', wh: 'DC-ATL', workflow: 'order_to_cash', doc: 'SO902', steps: [['order.created', 'ECOM', 2.2 * DAY, 12_950.5], ['pick.confirmed', 'WMS', 2 * DAY]] },
  { corr: 'SO-FLOW-903', wh: 'DC-ATL', workflow: 'order_to_cash', doc: 'SO903', steps: [['order.created', 'ECOM', 9 * HOUR, 640], ['pick.confirmed', 'WMS', 6 * HOUR]] },
  { corr: 'PO-FLOW-911', wh: 'DC-CHI', workflow: 'procure_to_pay', doc: 'PO-911', steps: [['receipt.posted', 'WMS', 12 * DAY, 38_400]] },
  { corr: 'PO-FLOW-912', wh: 'DC-SEA', workflow: 'procure_to_pay', doc: 'PO-912', steps: [['receipt.posted', 'WMS', 9.5 * DAY, 7_215.25]] },
  { corr: 'TR-FLOW-921', wh: 'DC-DAL', workflow: 'inventory', doc: 'TR-921', steps: [['transfer.shipped', 'WMS', 6 * DAY, 9_800]] },
  { corr: 'TR-FLOW-922', wh: 'DC-LAX', workflow: 'inventory', doc: 'TR-922', steps: [['transfer.shipped', 'WMS', 4.2 * DAY, 3_150]] },
  { corr: 'TR-FLOW-923', wh: 'DC-MIA', workflow: 'inventory', doc: 'TR-923', steps: [['transfer.shipped', 'WMS', 1.5 * DAY, 2_400]] },
];

export function* flowCases(startMs: number, endMs: number): Generator<DemoEvent> {
  let n = 0;
  for (const c of CASES) {
    if (endMs - c.steps[0]![2] < startMs) continue;
    for (const [type, source, age, amount] of c.steps) {
      yield {
        event_id: `demo-flow-${n++}`,
        type,
        occurred_at: new Date(endMs - age).toISOString(),
        source_system: source,
        warehouse_id: c.wh,
        correlation_id: c.corr,
        workflow: c.workflow,
        document_ref: c.doc,
        attributes: amount === undefined ? {} : { amount, currency: 'USD' },
      };
    }
  }
}
