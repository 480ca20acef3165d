'use client';
import { useState } from 'react';
import { Bars } from '@/components/charts/Bars';
import { COLORS } from '@/components/charts/frame';
import { apiUrl } from '@/components/data/fetcher';
import type { FlowResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { useRange, useWarehouses } from '@/components/shell/url-state';
import { DataState } from '@/components/ui/DataState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { ChartSkeleton } from '@/components/ui/Skeleton';
import { formatDuration } from '@/lib/format/duration';
import { formatMoney, formatNumber } from '@/lib/format/number';
import { formatDateTime } from '@/lib/format/time';
import { FlowHeatTable, type FlowCellPick } from './FlowHeatTable';
import { WaitingList } from './WaitingList';

const WORKFLOW_LABEL: Record<string, string> = {
  order_to_cash: 'Order to cash',
  procure_to_pay: 'Procure to pay',
  return_to_credit: 'Return to credit',
  inventory: 'Transfers',
};
export const workflowLabel = (w: string): string => WORKFLOW_LABEL[w] ?? w;

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
      <p className="text-xs uppercase text-slate-500 dark:text-slate-400">{label}</p>
      <p className="text-xl font-semibold tabular-nums">{value}</p>
    </div>
  );
}

function totals(d: FlowResponse) {
  const stages = d.workflows.flatMap((w) => w.stages);
  const oldest = stages.map((s) => s.total.oldest_wait_seconds).filter((x): x is number => x !== null);
  return {
    waiting: stages.reduce((n, s) => n + s.total.waiting, 0),
    overdue: stages.reduce((n, s) => n + s.total.overdue, 0),
    amount: Math.round(stages.reduce((n, s) => n + s.total.overdue_amount, 0) * 100) / 100,
    oldest: oldest.length ? Math.max(...oldest) : null,
  };
}

/** `/flow`: where transactions wait between stages (metrics.md §8), per workflow, stage and warehouse. */
export function FlowView() {
  const range = useRange();
  const warehouse = useWarehouses();
  const flow = useApi<FlowResponse>(apiUrl('/api/v1/kpi/flow', { as_of: range.toIso, warehouse }));
  const [pick, setPick] = useState<FlowCellPick | null>(null);

  return (
    <div className="space-y-4">
      <PageHeader
        title="Flow"
        subtitle={`Transactions waiting for their next stage as of ${formatDateTime(range.to, range.tz)}; overdue when the wait exceeds the stage's SLA.`}
      />
      <DataState {...flow} retry={() => void flow.mutate()} skeleton={<ChartSkeleton height={60} />}>
        {(d) => {
          const t = totals(d);
          return (
            <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
              <Stat label="Waiting" value={formatNumber(t.waiting)} />
              <Stat label="Overdue" value={formatNumber(t.overdue)} />
              <Stat label="Overdue amount" value={formatMoney(t.amount)} />
              <Stat label="Oldest wait" value={formatDuration(t.oldest)} />
            </div>
          );
        }}
      </DataState>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2 *:min-w-0">
        {(flow.data?.workflows ?? []).map((w) => (
          <Panel key={w.workflow} title={`${workflowLabel(w.workflow)}: waiting per stage`} id={`funnel-${w.workflow}`}>
            <Bars
              label={`${workflowLabel(w.workflow)}: transactions waiting and overdue per stage`}
              data={w.stages.map((s) => ({ stage: s.stage, within: s.total.waiting - s.total.overdue, overdue: s.total.overdue }))}
              category="stage"
              series={[
                { key: 'within', label: 'Waiting, within SLA', color: COLORS.p50, stackId: 'w' },
                { key: 'overdue', label: 'Overdue', color: COLORS.p99, stackId: 'w' },
              ]}
              format={formatNumber}
              height={220}
            />
          </Panel>
        ))}
      </div>
      <Panel title="Overdue by stage and warehouse" id="flow-heat">
        <DataState {...flow} retry={() => void flow.mutate()}>
          {(d) => <FlowHeatTable data={d} selected={pick} onPick={setPick} />}
        </DataState>
      </Panel>
      {pick && (
        <Panel title={`Waiting at ${pick.stage} (${workflowLabel(pick.workflow)})${pick.warehouse ? ` in ${pick.warehouse}` : ''}`} id="flow-waiting">
          <WaitingList pick={pick} asOf={range.toIso} warehouses={pick.warehouse ? [pick.warehouse] : warehouse} tz={range.tz} />
        </Panel>
      )}
    </div>
  );
}
