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
  // How old a shared read answer may be, in seconds (api.md "Reads may share work"); 0 shares nothing.
  CT_READ_MAX_AGE_S: z.coerce.number().nonnegative().max(3600).default(2),
  // How long `npm run ingest` waits out 429/503 (or an unreachable server) for one chunk before it stops.
  CT_INGEST_RETRY_MAX_S: z.coerce.number().positive().default(300),
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
