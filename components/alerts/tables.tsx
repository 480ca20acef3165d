'use client';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { EmptyState } from '@/components/ui/EmptyState';
import { SeverityBadge } from '@/components/ui/StatusBadge';
import { formatDuration } from '@/lib/format/duration';
import { formatDateTime } from '@/lib/format/time';
import { AlertHints } from './AlertHints';
import { formatMetric, groupId, groupLabel, METRIC_LABEL } from './format';
import { SilenceForm } from './SilenceForm';
import type { ActiveAlert, AlertItem, AlertRule, AlertSilence } from './types';

const SEVERITY_ORDER: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const since = (from: string, to: number) => formatDuration(Math.max(0, (to - Date.parse(from)) / 1000));

function DashboardLink({ item }: { item: AlertItem }) {
  return (
    <a href={item.dashboard_url} className="text-sky-700 underline hover:text-sky-900 dark:text-sky-400" aria-label={`Dashboard for ${item.rule_id} ${groupLabel(item.group)}`}>
      Open
    </a>
  );
}

function ValueCell({ item }: { item: AlertItem }) {
  return (
    <span className="tabular-nums">
      <span className="font-semibold text-red-700 dark:text-red-300">{formatMetric(item.metric, item.value)}</span>
      <span className="text-slate-500 dark:text-slate-400"> vs {formatMetric(item.metric, item.threshold)}</span>
    </span>
  );
}

const common = <T extends AlertItem>(): Column<T>[] => [
  { key: 'severity', header: 'Severity', value: (r) => SEVERITY_ORDER[r.severity] ?? 9, cell: (r) => <SeverityBadge severity={r.severity} /> },
  { key: 'rule_id', header: 'Rule', value: (r) => r.rule_id },
  { key: 'group', header: 'Group', value: (r) => groupLabel(r.group) },
  { key: 'metric', header: 'Metric', value: (r) => METRIC_LABEL[r.metric] ?? r.metric },
];

export function ActiveTable({
  rows,
  tz,
  now,
  canSilence,
  rules = [],
}: {
  rows: readonly ActiveAlert[];
  tz: string;
  now: number;
  canSilence: boolean;
  rules?: readonly AlertRule[];
}) {
  const columns: Column<ActiveAlert>[] = [
    ...common<ActiveAlert>(),
    {
      key: 'started_at',
      header: 'Firing since',
      value: (r) => r.started_at,
      cell: (r) => (
        <span title={formatDateTime(r.started_at, tz, { seconds: true })}>
          {formatDateTime(r.started_at, tz)} <span className="text-slate-500 dark:text-slate-400">({since(r.started_at, now)})</span>
        </span>
      ),
    },
    { key: 'value', header: 'Value vs threshold', value: (r) => r.value, cell: (r) => <ValueCell item={r} /> },
    { key: 'threshold', header: 'threshold', value: (r) => r.threshold, csvOnly: true },
    {
      key: 'cause',
      header: 'Likely cause',
      value: () => '',
      noCsv: true,
      sortable: false,
      cell: (r) => <AlertHints alert={r} rule={rules.find((x) => x.id === r.rule_id)} now={now} />,
    },
    { key: 'dashboard_url', header: 'Dashboard', value: (r) => r.dashboard_url, cell: (r) => <DashboardLink item={r} />, sortable: false },
    {
      key: 'silenced_until',
      header: 'Silence',
      value: (r) => r.silenced_until,
      sortable: false,
      cell: (r) =>
        canSilence ? (
          <SilenceForm ruleId={r.rule_id} group={r.group} target={`${r.rule_id} ${groupLabel(r.group)}`} tz={tz} silencedUntil={r.silenced_until} />
        ) : r.silenced_until ? (
          `until ${formatDateTime(r.silenced_until, tz)}`
        ) : (
          '—'
        ),
    },
  ];
  return (
    <DataTable
      caption="Firing alerts"
      csvName="alerts-active"
      columns={columns}
      rows={rows}
      rowKey={(r) => groupId(r.rule_id, r.group)}
      rowHeader={false}
      empty={<EmptyState title="Nothing is firing">Every rule is within its threshold for the groups you can see.</EmptyState>}
    />
  );
}

export function HistoryTable({ rows, tz }: { rows: readonly AlertItem[]; tz: string }) {
  const columns: Column<AlertItem>[] = [
    ...common<AlertItem>(),
    { key: 'started_at', header: 'Fired', value: (r) => r.started_at, cell: (r) => formatDateTime(r.started_at, tz) },
    { key: 'ended_at', header: 'Resolved', value: (r) => r.ended_at, cell: (r) => formatDateTime(r.ended_at, tz) },
    {
      key: 'duration',
      header: 'Lasted',
      align: 'right',
      value: (r) => (r.ended_at ? (Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000 : null),
      cell: (r) => (r.ended_at ? since(r.started_at, Date.parse(r.ended_at)) : '—'),
    },
    {
      key: 'value',
      header: 'Value at resolution',
      value: (r) => r.value,
      cell: (r) => `${formatMetric(r.metric, r.value)} vs ${formatMetric(r.metric, r.threshold)}`,
    },
    { key: 'dashboard_url', header: 'Dashboard', value: (r) => r.dashboard_url, cell: (r) => <DashboardLink item={r} />, sortable: false },
  ];
  return (
    <DataTable
      caption="Resolved alerts, last 7 days"
      csvName="alerts-history"
      columns={columns}
      rows={rows}
      rowKey={(r) => `${groupId(r.rule_id, r.group)}@${r.started_at}`}
      rowHeader={false}
      pageSize={50}
      empty={<EmptyState title="No alert resolved in the last 7 days" />}
    />
  );
}

export function SilenceList({ rows, tz, canSilence }: { rows: readonly AlertSilence[]; tz: string; canSilence: boolean }) {
  const columns: Column<AlertSilence>[] = [
    { key: 'rule_id', header: 'Rule', value: (r) => r.rule_id },
    { key: 'group', header: 'Group', value: (r) => groupLabel(r.group) },
    { key: 'until', header: 'Until', value: (r) => r.until, cell: (r) => formatDateTime(r.until, tz) },
    { key: 'created_by', header: 'By', value: (r) => r.created_by },
    {
      key: 'action',
      header: '',
      value: () => '',
      noCsv: true,
      sortable: false,
      cell: (r) =>
        canSilence ? <SilenceForm ruleId={r.rule_id} group={r.group} target={`${r.rule_id} ${groupLabel(r.group)}`} tz={tz} silencedUntil={r.until} /> : null,
    },
  ];
  return (
    <DataTable
      caption="Active silences"
      csvName="alerts-silences"
      columns={columns}
      rows={rows}
      rowKey={(r) => groupId(r.rule_id, r.group)}
      rowHeader={false}
      empty={<EmptyState title="No active silences" />}
    />
  );
}
