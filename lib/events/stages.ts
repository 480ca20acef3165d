/**
 * The expected stages of each workflow (api.md, drill-down) and their default SLAs (metrics.md §8), in
 * one dependency-free module beside the event model: the drill-down, the Flow KPI and its rollup, and the
 * config schema all read it, so they cannot disagree on a stage's order or on which stage is final.
 * `inventory` expects the transfer stages only for a transaction that has a transfer event; for the Flow
 * KPI that is automatic (a transaction that reached no expected stage is not counted).
 */
export const FLOW_STAGES = {
  order_to_cash: ['order.created', 'pick.confirmed', 'shipment.confirmed', 'invoice.posted', 'payment.received'],
  procure_to_pay: ['receipt.posted', 'invoice.posted', 'payment.received'],
  return_to_credit: ['return.received', 'credit.issued'],
  inventory: ['transfer.shipped', 'transfer.received'],
} as const satisfies Record<string, readonly string[]>;

export type FlowWorkflow = keyof typeof FLOW_STAGES;
export const FLOW_WORKFLOWS = Object.keys(FLOW_STAGES) as FlowWorkflow[];

export const isFlowWorkflow = (w: string): w is FlowWorkflow => Object.hasOwn(FLOW_STAGES, w);

/** Every event type that is a stage of some workflow, each once. */
export const STAGE_TYPES: readonly string[] = [...new Set(Object.values(FLOW_STAGES).flat())];

/** The stages a transaction can wait at: all but the last (having reached the final stage, it waits nowhere). */
export const waitingStages = (w: FlowWorkflow): readonly string[] => FLOW_STAGES[w].slice(0, -1);

/** The stage after `stage` in `w` (null for the final one or an unknown one). */
export function nextStage(w: FlowWorkflow, stage: string): string | null {
  const list: readonly string[] = FLOW_STAGES[w];
  const i = list.indexOf(stage);
  return i < 0 || i === list.length - 1 ? null : list[i + 1]!;
}

const H = 3600;
const D = 24 * H;
/** metrics.md §8 defaults, seconds for the next stage to arrive (`shipment.confirmed` is the posting SLO). */
const STAGE_DEFAULTS: Record<string, number> = {
  'order.created': 24 * H,
  'pick.confirmed': 24 * H,
  'shipment.confirmed': 48 * H,
  'invoice.posted': 45 * D,
  'receipt.posted': 7 * D,
  'return.received': 7 * D,
  'transfer.shipped': 72 * H,
};

export const defaultStageSlo = (stage: string): number => STAGE_DEFAULTS[stage]!;

/** Configured SLAs: workflow → waiting stage → seconds (lib/config/slo.ts validates and fills them). */
export type FlowSlos = Record<FlowWorkflow, Record<string, number>>;
