import fs from 'node:fs';
import { z } from 'zod';
import { FLOW_WORKFLOWS, defaultStageSlo, waitingStages, type FlowSlos, type FlowWorkflow } from '@/lib/events/stages';
import { env } from './env';

/**
 * metrics.md §8 stage SLAs: per workflow, exactly its waiting stages (an unknown workflow or stage, or the
 * final stage, is refused with its path). Filled with the defaults; `shipment.confirmed` defaults to
 * `slo.posting_seconds`, which it is (see the transform below).
 */
const stageSlos = (w: FlowWorkflow) =>
  z
    .object(Object.fromEntries(waitingStages(w).map((s) => [s, s === 'shipment.confirmed' ? z.number().positive().optional() : z.number().positive().default(defaultStageSlo(s))])))
    .strict()
    .prefault({});
const flowSloSchema = z
  .object(Object.fromEntries(FLOW_WORKFLOWS.map((w) => [w, stageSlos(w)])) as Record<FlowWorkflow, ReturnType<typeof stageSlos>>)
  .strict()
  .prefault({});

/** One validated config file (CT_CONFIG_FILE) for SLOs and summary thresholds; metrics.md defaults. */
const level = (warn: number, breach: number) =>
  z.object({ warn: z.number().nonnegative(), breach: z.number().nonnegative() }).strict().default({ warn, breach });

export const configSchema = z
  .object({
    slo: z
      .object({
        sync_lag_seconds: z.number().positive().default(300),
        posting_seconds: z.number().positive().default(48 * 3600),
      })
      .strict()
      .default({ sync_lag_seconds: 300, posting_seconds: 48 * 3600 }),
    // "warn / breach at or above" (metrics.md §7). drift_value warns above 0: values are in cents, so 0.01.
    summary: z
      .object({
        sync_lag_p95: level(300, 900),
        failure_rate: level(0.01, 0.05),
        open_exceptions_critical: level(1, 5),
        invoice_latency_p95: level(24 * 3600, 48 * 3600),
        drift_value: level(0.01, 10_000),
        transactions_overdue: level(1, 100),
      })
      .strict()
      .default({
        sync_lag_p95: { warn: 300, breach: 900 },
        failure_rate: { warn: 0.01, breach: 0.05 },
        open_exceptions_critical: { warn: 1, breach: 5 },
        invoice_latency_p95: { warn: 24 * 3600, breach: 48 * 3600 },
        drift_value: { warn: 0.01, breach: 10_000 },
        transactions_overdue: { warn: 1, breach: 100 },
      }),
    flow_slo_seconds: flowSloSchema,
  })
  .strict()
  .transform((c) => {
    const given = c.flow_slo_seconds as Record<FlowWorkflow, Record<string, number | undefined>>;
    const flow = Object.fromEntries(
      FLOW_WORKFLOWS.map((w) => [w, Object.fromEntries(waitingStages(w).map((s) => [s, given[w][s] ?? c.slo.posting_seconds]))]),
    ) as FlowSlos;
    return { ...c, flow_slo_seconds: flow };
  });

export type TowerConfig = z.infer<typeof configSchema>;

/**
 * GET /api/v1/config (extension): the loaded configuration, defaults applied, so the dashboard draws and
 * compares against the same SLOs and thresholds the API uses. The file's schema is the response's: every
 * field is a public threshold, and a parsed file re-parses to itself.
 */
export const configResponse = configSchema;
export type ConfigResponse = z.output<typeof configResponse>;

const KEY = Symbol.for('sync-control-tower.config');
const g = globalThis as typeof globalThis & { [KEY]?: { file: string | undefined; config: TowerConfig } };

export function parseConfig(text: string, source = 'CT_CONFIG_FILE'): TowerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not valid JSON`);
  }
  const r = configSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`${source}: ${i?.path.join('.') || '(root)'}: ${i?.message ?? 'invalid'}`);
  }
  return r.data;
}

export function loadConfig(): TowerConfig {
  const file = env().CT_CONFIG_FILE;
  const cached = g[KEY];
  if (cached && cached.file === file) return cached.config;
  const config = file ? parseConfig(fs.readFileSync(file, 'utf8')) : configSchema.parse({});
  g[KEY] = { file, config };
  return config;
}
