import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClickHouseSettings } from '@clickhouse/client';
import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { withSpan } from '@/lib/telemetry/span';
import { Readable } from 'node:stream';
import { getClient, rawInsertOf, type RawFormat, type Session } from './client';
import { currentLane, type Lane } from './scheduler';
import { onStatement } from './serial';
import { render, type Sql } from './sql';

const UNAVAILABLE = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|socket hang up|Timeout error|connect ETIMEDOUT/i;
const DISK_FULL = /NOT_ENOUGH_SPACE|No space left|min_free_disk/i;

interface ChErrorLike {
  code?: unknown;
  type?: unknown;
  message?: unknown;
}

/** Turns driver and engine failures into the one error type. Engine text never reaches a client. */
export function mapStoreError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as ChErrorLike;
  const msg = typeof e.message === 'string' ? e.message : String(err);
  const type = typeof e.type === 'string' ? e.type : '';
  if (UNAVAILABLE.test(msg) || e.code === 'ECONNREFUSED') {
    return new AppError('store_unavailable', 'the event store is unavailable; retry shortly', { retryAfter: 5, cause: err });
  }
  if (DISK_FULL.test(msg) || type === 'NOT_ENOUGH_SPACE') {
    return new AppError('store_unavailable', 'the event store is out of disk space; retry later', { retryAfter: 30, cause: err });
  }
  if (type === 'TIMEOUT_EXCEEDED') {
    return new AppError('overloaded', 'the query exceeded its time budget; narrow the range or the warehouses', { retryAfter: 10, cause: err });
  }
  if (type === 'MEMORY_LIMIT_EXCEEDED' || type === 'TOO_MANY_ROWS_OR_BYTES') {
    return new AppError('overloaded', 'the query exceeded its memory budget; narrow the range or the warehouses', { retryAfter: 10, cause: err });
  }
  return new AppError('internal', 'the event store failed to answer', { cause: err });
}

export interface StatementOptions {
  settings?: ClickHouseSettings;
  /**
   * Scheduling lane on the embedded engine (see scheduler.ts). Default: the one set by `withLane`,
   * else `interactive` for `query()` and `write` for `command()` / `insertRows()`.
   */
  lane?: Lane;
}

export interface QueryOptions extends StatementOptions {
  /** Low-cardinality name for the span, e.g. `kpi.sync_lag`. */
  name: string;
}

const hasParams = (params: Record<string, unknown>) => Object.keys(params).length > 0;

/**
 * Reads run on the read session, whose guards operators may tighten, except the ingest path's own
 * (`write`: the dedup lookup reads its temporary table there). Writes run on the write session, except
 * bulk ones (maintenance), which get their own so that they never hold acknowledgements.
 */
const readSession = (lane: Lane): Session => (lane === 'write' ? 'write' : 'read');
const writeSession = (lane: Lane): Session => (lane === 'bulk' ? 'maintenance' : 'write');

/**
 * A composite read (the executive summary) asks several KPI modules, which repeat some statements: the
 * warehouse list, drift at the same as_of. Inside `withStatementMemo`, an identical statement (same text,
 * parameters and settings) runs once and every caller parses the same rows.
 */
const memo = new AsyncLocalStorage<Map<string, Promise<unknown[]>>>();

export function withStatementMemo<T>(fn: () => Promise<T>): Promise<T> {
  return memo.run(new Map(), fn);
}

export async function query<S extends z.ZodType>(q: Sql, row: S, opts: QueryOptions): Promise<z.infer<S>[]> {
  const { query: text, query_params } = render(q);
  return withSpan(`db.${opts.name}`, {}, async (span) => {
    let raw: unknown[];
    try {
      const lane = opts.lane ?? currentLane() ?? 'interactive';
      const session = readSession(lane);
      span.setAttribute('db.lane', lane);
      const run = () =>
        onStatement({ session, lane, bound: hasParams(query_params) }, async () => {
          const rs = await getClient(session).query({ query: text, query_params, format: 'JSONEachRow', clickhouse_settings: opts.settings });
          return rs.json<unknown>();
        });
      const shared = memo.getStore();
      if (shared) {
        const key = JSON.stringify([session, text, query_params, opts.settings ?? null]);
        let pending = shared.get(key);
        if (pending) span.setAttribute('db.memo', true);
        else shared.set(key, (pending = run()));
        raw = await pending;
      } else {
        raw = await run();
      }
    } catch (err) {
      throw mapStoreError(err);
    }
    span.setAttribute('rows', raw.length);
    const parsed = z.array(row).safeParse(raw);
    if (!parsed.success) {
      throw new AppError('internal', `unexpected row shape from ${opts.name}`, { cause: parsed.error });
    }
    return parsed.data;
  });
}

/** Statements (DDL, INSERT … SELECT, TRUNCATE) run on the write session, like inserts. */
export async function command(q: Sql, opts: StatementOptions = {}): Promise<void> {
  const { query: text, query_params } = render(q);
  const lane = opts.lane ?? currentLane() ?? 'write';
  const session = writeSession(lane);
  try {
    await onStatement({ session, lane, bound: hasParams(query_params) }, () =>
      getClient(session).command({ query: text, query_params, clickhouse_settings: opts.settings }),
    );
  } catch (err) {
    throw mapStoreError(err);
  }
}

/** Table names that code may insert into: a closed union, never a runtime string. */
export type InsertTable = 'events' | 'rejected_events' | 'ingest_stats' | 'pipeline_delay_input' | 'ingest_probe' | 'alert_state' | 'alert_notifications' | 'alert_silences';

export async function insertRows(table: InsertTable, rows: readonly object[], opts: StatementOptions = {}): Promise<void> {
  if (rows.length === 0) return;
  const lane = opts.lane ?? currentLane() ?? 'write';
  const session = writeSession(lane);
  try {
    // Insert data travels as the statement's body, never as parameters: it does not need the binder.
    await onStatement({ session, lane, bound: false }, () =>
      getClient(session).insert({ table, values: rows as object[], format: 'JSONEachRow', clickhouse_settings: opts.settings }),
    );
  } catch (err) {
    throw mapStoreError(err);
  }
}

export interface JsonLinesOptions extends StatementOptions {
  /** JSONEachRow (default; objects) or JSONCompactEachRow (arrays of the `columns`, in their order). */
  format?: RawFormat;
  /** Column names (code constants, never input), required for JSONCompactEachRow. */
  columns?: readonly string[];
}

/**
 * Rows already encoded, one JSON value a line (as `JSON.stringify` writes them). The embedded engine takes
 * the bytes as they are and parses them with its own parallel parser (chdb rawInsert): no per-row encoding
 * in the client and no statement text to parse. A server receives them as the request body.
 */
export async function insertJsonLines(table: InsertTable, body: Buffer, opts: JsonLinesOptions = {}): Promise<void> {
  if (body.length === 0) return;
  const lane = opts.lane ?? currentLane() ?? 'write';
  const session = writeSession(lane);
  try {
    await onStatement({ session, lane, bound: false }, async () => {
      const raw = rawInsertOf(session);
      const format = opts.format ?? 'JSONEachRow';
      if (raw) return raw({ table, values: body, format, ...(opts.columns ? { columns: opts.columns } : {}) });
      const columns = opts.columns ? ` (${opts.columns.join(', ')})` : '';
      const r = await getClient(session).exec({
        query: `INSERT INTO ${table}${columns} FORMAT ${format}`,
        values: Readable.from([body]),
        clickhouse_settings: opts.settings,
      });
      // The response ends once the server has stored the rows (or failed to).
      for await (const _ of r.stream) void _;
    });
  } catch (err) {
    throw mapStoreError(err);
  }
}
