import { z } from 'zod';
import { chTime, empty, insertRows, p, query, sql, unsafeRaw } from '@/lib/store';
import { groupSchema, type Group } from './model';

/**
 * Persistence of alert state, the notification log and silences (migration 0003). Every read takes the
 * latest version per key, so rewriting a row is how state changes; nothing is ever updated in place.
 */
export type AlertStatus = 'ok' | 'pending' | 'firing';
export type Heard = '' | 'firing' | 'resolved';

export interface AlertState {
  rule_id: string;
  group_key: string;
  group: Group;
  status: AlertStatus;
  metric: string;
  severity: string;
  value: number | null;
  threshold: number;
  pending_since: number | null;
  started_at: number | null;
  ended_at: number | null;
  /** What the receivers last heard for this group (alerts.md silences: resend only when it differs). */
  notified: Heard;
  notified_at: number | null;
  evaluated_at: number;
  version: number;
}

const msOrNull = z.number().nullable();
const stateRow = z.object({
  rule_id: z.string(),
  group_key: z.string(),
  group_json: z.string(),
  status: z.enum(['ok', 'pending', 'firing']),
  metric: z.string(),
  severity: z.string(),
  value: z.number().nullable(),
  threshold: z.number(),
  pending_since: msOrNull,
  started_at: msOrNull,
  ended_at: msOrNull,
  notified: z.enum(['', 'firing', 'resolved']),
  notified_at: msOrNull,
  evaluated_at: z.number(),
  version: z.number(),
});

const parseGroup = (text: string): Group => groupSchema.parse(JSON.parse(text));
type TimeColumn = 'pending_since' | 'started_at' | 'ended_at' | 'notified_at' | 'evaluated_at';
const ms = (col: TimeColumn) => unsafeRaw(`toUnixTimestamp64Milli(${col})`);

/** Current state of every (rule, group) of these rules. */
export async function loadStates(ruleIds: readonly string[], only?: { status: AlertStatus }): Promise<AlertState[]> {
  if (ruleIds.length === 0) return [];
  const statusFilter = only ? sql` AND status = ${p.str(only.status)}` : empty;
  const rows = await query(
    sql`SELECT rule_id, group_key, group_json, toString(status) AS status, toString(metric) AS metric,
        toString(severity) AS severity, value, threshold,
        ${ms('pending_since')} AS pending_since, ${ms('started_at')} AS started_at, ${ms('ended_at')} AS ended_at,
        toString(notified) AS notified, ${ms('notified_at')} AS notified_at, ${ms('evaluated_at')} AS evaluated_at, version
      FROM alert_state FINAL
      WHERE rule_id IN ${p.strs(ruleIds)}${statusFilter}`,
    stateRow,
    { name: 'alerts.load_state' },
  );
  return rows.map(({ group_json, ...r }) => ({ ...r, group: parseGroup(group_json) }));
}

const t = (v: number | null) => (v === null ? null : chTime(v));

export async function saveStates(states: readonly AlertState[]): Promise<void> {
  await insertRows(
    'alert_state',
    states.map((s) => ({
      rule_id: s.rule_id,
      group_key: s.group_key,
      group_json: s.group_key,
      warehouse_id: s.group.warehouse_id ?? null,
      status: s.status,
      metric: s.metric,
      severity: s.severity,
      value: s.value,
      threshold: s.threshold,
      pending_since: t(s.pending_since),
      started_at: t(s.started_at),
      ended_at: t(s.ended_at),
      notified: s.notified,
      notified_at: t(s.notified_at),
      evaluated_at: chTime(s.evaluated_at),
      version: s.version,
    })),
  );
}

/** A row of the notification log: a transition (history), a send (outbox) or a delivery outcome. */
export interface LogRow {
  at: number;
  id: string;
  kind: 'transition' | 'send' | 'delivered' | 'failed';
  rule_id: string;
  group_key: string;
  warehouse_id: string | null;
  status: 'firing' | 'resolved';
  webhook: string;
  attempts: number;
  error: string;
  body: string;
}

export async function appendLog(rows: readonly LogRow[]): Promise<void> {
  await insertRows('alert_notifications', rows.map((r) => ({ ...r, at: chTime(r.at) })));
}

const logRow = z.object({
  at_ms: z.number(),
  id: z.string(),
  rule_id: z.string(),
  group_key: z.string(),
  warehouse_id: z.string().nullable(),
  status: z.enum(['firing', 'resolved']),
  webhook: z.string(),
  body: z.string(),
});
export type LoggedNotification = z.infer<typeof logRow>;

const LOG_COLUMNS = sql`toUnixTimestamp64Milli(at) AS at_ms, id, rule_id, group_key, warehouse_id, toString(status) AS status, webhook, body`;

/** Resolved transitions since `since`: the history (alerts.md: the last 7 days). */
export async function loadResolved(since: number, limit: number): Promise<LoggedNotification[]> {
  return query(
    sql`SELECT ${LOG_COLUMNS} FROM alert_notifications
      WHERE kind = ${p.str('transition')} AND status = ${p.str('resolved')} AND at >= ${p.time(since)}
      ORDER BY at DESC, id DESC LIMIT ${p.u32(limit)}`,
    logRow,
    { name: 'alerts.history' },
  );
}

/** Sends since `since` with no recorded outcome: handed to a webhook, then the process stopped. */
export async function loadUndelivered(since: number): Promise<LoggedNotification[]> {
  return query(
    sql`SELECT ${LOG_COLUMNS} FROM alert_notifications
      WHERE kind = ${p.str('send')} AND at >= ${p.time(since)}
        AND (id, webhook) NOT IN (
          SELECT id, webhook FROM alert_notifications WHERE kind IN ${p.strs(['delivered', 'failed'])} AND at >= ${p.time(since)})
      ORDER BY at ASC, id ASC`,
    logRow,
    { name: 'alerts.outbox' },
  );
}

export interface Silence {
  rule_id: string;
  group_key: string;
  group: Group;
  until: number;
  created_at: number;
  created_by: string;
}

const silenceRow = z.object({
  rule_id: z.string(),
  group_key: z.string(),
  group_json: z.string(),
  until_ms: z.number(),
  created_ms: z.number(),
  created_by: z.string(),
});

/** The latest silence per group whose `until` is after `now`. */
export async function loadSilences(now: number): Promise<Silence[]> {
  const rows = await query(
    // Aliases differ from column names: a ClickHouse alias is visible in WHERE and would shadow the column.
    sql`SELECT rule_id, group_key, group_json, toUnixTimestamp64Milli(until) AS until_ms,
        toUnixTimestamp64Milli(created_at) AS created_ms, created_by
      FROM alert_silences FINAL WHERE until > ${p.time(now)}
      ORDER BY rule_id, group_key`,
    silenceRow,
    { name: 'alerts.silences' },
  );
  return rows.map((r) => ({
    rule_id: r.rule_id,
    group_key: r.group_key,
    group: parseGroup(r.group_json),
    until: r.until_ms,
    created_at: r.created_ms,
    created_by: r.created_by,
  }));
}

export async function saveSilence(s: Silence, version: number): Promise<void> {
  await insertRows('alert_silences', [
    {
      rule_id: s.rule_id,
      group_key: s.group_key,
      group_json: s.group_key,
      warehouse_id: s.group.warehouse_id ?? null,
      until: chTime(s.until),
      created_at: chTime(s.created_at),
      created_by: s.created_by,
      version,
    },
  ]);
}
