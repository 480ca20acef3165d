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
  // Seconds between two passes of the rollup refresher in the server (0: never; reads then stay raw).
  CT_ROLLUP_REFRESH_S: z.coerce.number().nonnegative().default(2),
  CT_READ_MAX_AGE_S: z.coerce.number().nonnegative().max(3600).default(2),
  // How long `npm run ingest` waits out 429/503 (or an unreachable server) for one chunk before it stops.
  CT_INGEST_RETRY_MAX_S: z.coerce.number().positive().default(300),
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
  // Off unless declared: only then are X-Forwarded-Host/-Proto believed (lib/auth/origin.ts).
  CT_TRUST_PROXY: z.string().optional().transform((v) => ['1', 'true', 'on'].includes(v?.toLowerCase() ?? '')),
  PORT: z.coerce.number().int().positive().default(3000),
  // Ingest back-pressure (ingest/lock.ts): rows waiting for the writer, and ingest bytes held at once.
  CT_MAX_QUEUED_ROWS: z.coerce.number().int().positive().default(400_000),
  CT_MAX_INFLIGHT_BYTES: z.coerce.number().int().positive().default(64 * 1024 * 1024),
  // Tighter read-query guards (lib/store/guards.ts); unset keeps QUERY_GUARDS. Fractions of a second allowed.
  CT_QUERY_MAX_SECONDS: z.coerce.number().positive().optional(),
  CT_QUERY_MAX_MEMORY_BYTES: z.coerce.number().int().positive().optional(),
  // 1: every KPI reads raw events instead of rollups (lib/kpi/tables.ts), for comparisons.
  CT_FORCE_RAW: z.enum(['0', '1'], 'expected 0 or 1').default('0').transform((v) => v === '1'),
  // Session idle timeout in seconds (lib/auth/session.ts caps it at the 12 h absolute lifetime).
  CT_SESSION_IDLE_S: z.coerce.number().int().positive().default(8 * 3600),
  // Optional single sign-on (lib/auth/oidc.ts): issuer, client id and secret all set, or none.
  CT_OIDC_ISSUER: z.url('expected the issuer URL').optional(),
  CT_OIDC_CLIENT_ID: z.string().optional(),
  CT_OIDC_CLIENT_SECRET: z.string().optional(),
  CT_OIDC_ROLE_CLAIM: z.string().default('role'),
  CT_OIDC_WAREHOUSES_CLAIM: z.string().default('warehouses'),
  CT_OIDC_NAME: z.string().default('Single sign-on'),
});

export type Env = z.infer<typeof envSchema>;

/*
 * Deliberately not here: NODE_ENV, NEXT_RUNTIME and NEXT_PHASE (set by Next.js itself), the standard
 * OTEL_* variables (read by the OpenTelemetry SDK; lib/telemetry/otel.ts only checks whether an
 * endpoint is set), and test/bench-only variables (CT_BENCH_*, under test/ and bench/).
 */
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
