import type { ClickHouseSettings } from '@clickhouse/client';

/**
 * Every query is bounded in time and memory, so a runaway fails cleanly. The guards are the same for
 * every statement on purpose: chDB keeps per-query settings in its one session, so toggling them per
 * call would leak one query's limits into the next. Writes are small blocks and stay far inside them.
 */
export const QUERY_GUARDS = {
  max_execution_time: 20,
  max_memory_usage: '2000000000',
  timeout_overflow_mode: 'throw',
} as const satisfies ClickHouseSettings;
