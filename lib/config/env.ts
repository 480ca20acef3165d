import path from 'node:path';
import { z } from 'zod';

const flag = z
  .string()
  .optional()
  .transform((v) => !(v === '0' || v?.toLowerCase() === 'false' || v?.toLowerCase() === 'off'));

const envSchema = z.object({
  CLICKHOUSE_URL: z.string().url().optional(),
  CLICKHOUSE_CLUSTER: z.string().regex(/^[A-Za-z0-9_]+$/, 'CLICKHOUSE_CLUSTER: letters, digits and _ only').optional(),
  CT_DATA_DIR: z.string().default('./data'),
  CT_INGEST_TOKEN: z.string().min(1).optional(),
  CT_API_TOKEN: z.string().min(1).optional(),
  CT_USERS_FILE: z.string().optional(),
  CT_DEMO: flag,
  CT_CONFIG_FILE: z.string().optional(),
  CT_ALERTS_FILE: z.string().optional(),
  CT_WEBHOOKS: z.string().optional(),
  CT_ALERT_INTERVAL_S: z.coerce.number().positive().default(60),
  // First retry delay of a webhook notification; it doubles per retry (alerts.md: 1 attempt + 5 retries).
  CT_WEBHOOK_BACKOFF_MS: z.coerce.number().int().nonnegative().default(1000),
  CT_DASHBOARD_URL: z.string().optional(),
  CT_MAX_BODY_BYTES: z.coerce.number().int().positive().default(16 * 1024 * 1024),
  // Ingest limits (README "Ingest limits and the tower's own voice").
  CT_MAX_REJECTED_PER_BATCH: z.coerce.number().int().nonnegative().default(1000),
  CT_MAX_LINES_PER_REQUEST: z.coerce.number().int().positive().default(100_000),
  CT_INGEST_RATE_EVENTS_PER_S: z.coerce.number().nonnegative().default(200_000),
  CT_WAREHOUSES: z
    .string()
    .transform((v) => v.split(',').map((w) => w.trim()).filter((w) => w !== ''))
    .pipe(z.array(z.string()).min(1, 'CT_WAREHOUSES: name at least one warehouse'))
    .optional(),
  NEXTAUTH_SECRET: z.string().optional(),
  NEXTAUTH_URL: z.string().optional(),
  PORT: z.coerce.number().int().positive().default(3000),
});

export type Env = z.infer<typeof envSchema>;

const EMPTY_AS_UNSET = (src: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(src).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));

/** Read on every call (cheap) so tests and the demo start can set variables before first use. */
export function env(): Env {
  const parsed = envSchema.safeParse(EMPTY_AS_UNSET(process.env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`configuration: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export const dataDir = (): string => path.resolve(env().CT_DATA_DIR);
