'use client';
import { canAct, useSessionUser } from '@/components/shell/session';
import { useRange, useWarehouses } from '@/components/shell/url-state';
import { DataState } from '@/components/ui/DataState';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { SeverityBadge } from '@/components/ui/StatusBadge';
import { formatDuration } from '@/lib/format/duration';
import { formatDateTime } from '@/lib/format/time';
import { ruleCondition } from './format';
import { ActiveTable, HistoryTable, SilenceList } from './tables';
import type { AlertRule } from './types';
import { useAlerts } from './use-alerts';

function Rules({ rules }: { rules: readonly AlertRule[] }) {
  if (rules.length === 0) return <EmptyState title="No alert rules configured" />;
  return (
    <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
      {rules.map((r) => (
        <li key={r.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-1.5">
          <SeverityBadge severity={r.severity} />
          <span className="font-mono text-xs">{r.id}</span>
          <span>{ruleCondition(r)}</span>
          <span className="text-xs text-slate-500 dark:text-slate-400">
            {r.group_by.length ? `per ${r.group_by.join(' × ')}` : 'one global group'}
            {r.for_s > 0 ? ` · holds ${formatDuration(r.for_s)}` : ''}
            {r.repeat_s ? ` · repeats every ${formatDuration(r.repeat_s)}` : ''}
            {` · notifies ${r.notify.length ? r.notify.join(', ') : 'no webhook'}`}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** `/alerts`: what fires now (first), what fired in the last 7 days, silences and the rules behind them. */
export function AlertsView() {
  const range = useRange();
  const warehouse = useWarehouses();
  const alerts = useAlerts(warehouse);
  const { user } = useSessionUser();
  const canSilence = canAct(user);
  const retry = () => void alerts.mutate();
  const now = alerts.data ? Date.parse(alerts.data.now) : Date.now();

  return (
    <div className="space-y-4">
      <PageHeader
        title="Alerts"
        subtitle={
          alerts.data
            ? `${alerts.data.active.length} firing · ${alerts.data.history.length} resolved in the last 7 days · as of ${formatDateTime(alerts.data.now, range.tz, { seconds: true })}`
            : 'Threshold and freshness rules, evaluated continuously.'
        }
      />
      <Panel title="Firing now" id="alerts-active">
        <DataState {...alerts} retry={retry}>
          {(d) => <ActiveTable rows={d.active} tz={range.tz} now={now} canSilence={canSilence} rules={d.rules} />}
        </DataState>
      </Panel>
      <Panel title="History (last 7 days)" id="alerts-history">
        <DataState {...alerts} retry={retry}>
          {(d) => <HistoryTable rows={d.history} tz={range.tz} />}
        </DataState>
      </Panel>
      <Panel title="Silences" id="alerts-silences">
        <DataState {...alerts} retry={retry}>
          {(d) => <SilenceList rows={d.silences} tz={range.tz} canSilence={canSilence} />}
        </DataState>
      </Panel>
      <Panel title="Rules" id="alerts-rules">
        <DataState {...alerts} retry={retry}>
          {(d) => <Rules rules={d.rules} />}
        </DataState>
      </Panel>
    </div>
  );
}
