import type { ClickHouseSettings } from '@clickhouse/client';
import { env } from '@/lib/config/env';

/**
 * Every query is bounded in time and memory, so a runaway fails cleanly. The guards are the same for
 * every statement of a session on purpose: chDB keeps per-query settings in its one session, so
 * toggling them per call would leak one query's limits into the next. Writes are small blocks and
 * stay far inside them.
 */
export const QUERY_GUARDS = {
  max_execution_time: 20,
  max_memory_usage: '2000000000',
  timeout_overflow_mode: 'throw',
} as const satisfies ClickHouseSettings;

/** The write session keeps the defaults whatever the read limits are: acknowledgements never time out on a read budget. */
export const WRITE_GUARDS = QUERY_GUARDS;

/**
 * The read session's guards. Operators (and the runaway-query reliability scenario) may tighten them:
 * CT_QUERY_MAX_SECONDS (fractions allowed) and CT_QUERY_MAX_MEMORY_BYTES.
 */
export function readGuards(): ClickHouseSettings {
  const { CT_QUERY_MAX_SECONDS: seconds, CT_QUERY_MAX_MEMORY_BYTES: bytes } = env();
  return {
    ...QUERY_GUARDS,
    ...(seconds !== undefined ? { max_execution_time: seconds } : {}),
    ...(bytes !== undefined ? { max_memory_usage: String(bytes) } : {}),
  };
}
