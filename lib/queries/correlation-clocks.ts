import { z } from 'zod';
import { loadConfig } from '@/lib/config/slo';
import { isFlowWorkflow, waitingStages } from '@/lib/events/stages';

/**
 * The drill-down's stage clocks (an addition to api.md): for every reached stage that has an SLA (every
 * expected stage but the final one), the clock runs from the stage's time until a LATER stage of the
 * workflow is reached (the earliest of them, so an invoice before its shipment stops the shipment's clock
 * at once, with a negative elapsed time). A stopped clock is `in_time` (elapsed ≤ SLA) or `late` (by
 * `late_by_seconds`); a running one is `waiting` or, past its SLA strictly, `overdue`. A running clock is
 * the stage where the Flow page counts the transaction as waiting (metrics.md §8), on the same SLAs.
 */
export const stageClockSchema = z.object({
  stage: z.string(),
  reached_at: z.string(),
  slo_seconds: z.number(),
  /** When the transaction moved past this stage; null while it waits here. */
  stopped_at: z.string().nullable(),
  elapsed_seconds: z.number(),
  state: z.enum(['in_time', 'late', 'waiting', 'overdue']),
  /** How far past the SLA (late, or overdue while waiting); null when within it. */
  late_by_seconds: z.number().nullable(),
});
export type StageClock = z.infer<typeof stageClockSchema>;

/**
 * `all`: the reached expected stages in workflow order, as stagesOf returns them. Only stages reached at
 * `now` run a clock (a stage time later than now, which ingest allows by a day, is not reached yet).
 */
export function stageClocks(workflow: string | null, all: readonly { stage: string; at: string }[], now: number): StageClock[] {
  if (workflow === null || !isFlowWorkflow(workflow)) return [];
  const stages = all.filter((s) => Date.parse(s.at) <= now);
  const slos = loadConfig().flow_slo_seconds[workflow];
  const timed = new Set(waitingStages(workflow));
  return stages.flatMap((s, i) => {
    if (!timed.has(s.stage)) return [];
    const from = Date.parse(s.at);
    const later = stages.slice(i + 1).map((x) => Date.parse(x.at));
    const stop = later.length > 0 ? Math.min(...later) : null;
    const elapsed = ((stop ?? now) - from) / 1000;
    const slo = slos[s.stage]!;
    const over = elapsed > slo;
    const state = stop === null ? (over ? 'overdue' : 'waiting') : over ? 'late' : 'in_time';
    return [{
      stage: s.stage,
      reached_at: s.at,
      slo_seconds: slo,
      stopped_at: stop === null ? null : new Date(stop).toISOString(),
      elapsed_seconds: elapsed,
      state,
      late_by_seconds: over ? elapsed - slo : null,
    } satisfies StageClock];
  });
}
