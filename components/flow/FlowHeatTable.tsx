'use client';
import type { FlowResponse } from '@/components/data/types';
import { EmptyState } from '@/components/ui/EmptyState';
import { formatDuration } from '@/lib/format/duration';
import { formatMoney, formatNumber } from '@/lib/format/number';

export interface FlowCellPick {
  workflow: string;
  stage: string;
  /** null: every warehouse in the filter (the total column). */
  warehouse: string | null;
}

type Cell = FlowResponse['workflows'][number]['stages'][number]['total'];

/** Red by the share of overdue waits; grey when nothing waits. */
function tone(c: Cell): string {
  if (c.waiting === 0) return 'text-slate-400 dark:text-slate-600';
  if (c.overdue === 0) return 'bg-emerald-50 dark:bg-emerald-950/40';
  const share = c.overdue / c.waiting;
  return share >= 0.5 ? 'bg-red-200 dark:bg-red-900/60' : share >= 0.2 ? 'bg-red-100 dark:bg-red-900/40' : 'bg-amber-50 dark:bg-amber-950/40';
}

function CellButton({ cell, label, active, onClick }: { cell: Cell; label: string; active: boolean; onClick: () => void }) {
  if (cell.waiting === 0) return <span className="block px-2 py-1 text-center">·</span>;
  return (
    <button
      type="button"
      onClick={onClick}
      aria-pressed={active}
      aria-label={`${label}: ${cell.overdue} overdue of ${cell.waiting} waiting, ${formatMoney(cell.overdue_amount)} overdue, oldest ${formatDuration(cell.oldest_wait_seconds)}`}
      title={`${cell.waiting} waiting · oldest ${formatDuration(cell.oldest_wait_seconds)}`}
      className={`block w-full rounded px-2 py-1 text-right tabular-nums hover:ring-2 hover:ring-sky-400 ${active ? 'ring-2 ring-sky-600' : ''}`}
    >
      <span className="font-semibold">{formatNumber(cell.overdue)}</span>
      <span className="text-slate-500 dark:text-slate-400"> / {formatNumber(cell.waiting)}</span>
      <span className="block text-xs">{formatMoney(cell.overdue_amount, 'USD', { compact: true })}</span>
    </button>
  );
}

/** Stage × warehouse: overdue / waiting and the overdue amount; a click lists the waiting transactions. */
export function FlowHeatTable({ data, selected, onPick }: { data: FlowResponse; selected: FlowCellPick | null; onPick: (p: FlowCellPick) => void }) {
  const warehouses = data.workflows[0]?.stages[0]?.warehouses.map((w) => w.warehouse_id) ?? [];
  const rows = data.workflows.flatMap((w) => w.stages.map((s) => ({ workflow: w.workflow, stage: s })));
  if (rows.every((r) => r.stage.total.waiting === 0)) return <EmptyState title="Nothing is waiting between stages" />;
  const is = (p: FlowCellPick) => selected !== null && selected.workflow === p.workflow && selected.stage === p.stage && selected.warehouse === p.warehouse;
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-sm" data-testid="flow-heat">
        <caption className="sr-only">Overdue and waiting transactions per stage and warehouse, with the overdue amount</caption>
        <thead>
          <tr className="border-b border-slate-200 text-left text-xs uppercase text-slate-500 dark:border-slate-800 dark:text-slate-400">
            <th scope="col" className="px-2 py-1">Stage (waiting for)</th>
            <th scope="col" className="px-2 py-1 text-right">SLA</th>
            <th scope="col" className="px-2 py-1 text-right">All</th>
            {warehouses.map((w) => (
              <th key={w} scope="col" className="px-2 py-1 text-right">{w}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ workflow, stage }) => {
            const label = `${workflow} ${stage.stage}`;
            return (
              <tr key={label} className="border-b border-slate-100 dark:border-slate-800">
                <th scope="row" className="px-2 py-1 text-left font-normal">
                  <span className="block text-xs text-slate-500 dark:text-slate-400">{workflow}</span>
                  {stage.stage} <span className="text-slate-500 dark:text-slate-400">→ {stage.next_stage}</span>
                </th>
                <td className="px-2 py-1 text-right tabular-nums">{formatDuration(stage.slo_seconds)}</td>
                <td className={tone(stage.total)}>
                  <CellButton cell={stage.total} label={`${label}, all warehouses`} active={is({ workflow, stage: stage.stage, warehouse: null })} onClick={() => onPick({ workflow, stage: stage.stage, warehouse: null })} />
                </td>
                {stage.warehouses.map((c) => (
                  <td key={c.warehouse_id} className={tone(c)}>
                    <CellButton cell={c} label={`${label}, ${c.warehouse_id}`} active={is({ workflow, stage: stage.stage, warehouse: c.warehouse_id })} onClick={() => onPick({ workflow, stage: stage.stage, warehouse: c.warehouse_id })} />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">Each cell: overdue / waiting, and the overdue amount. Click a cell to list its transactions.</p>
    </div>
  );
}
