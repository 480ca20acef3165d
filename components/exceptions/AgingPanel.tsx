'use client';
import { Bars } from '@/components/charts/Bars';
import { COLORS } from '@/components/charts/frame';
import { apiUrl } from '@/components/data/fetcher';
import { AGE_BUCKET_LABELS, AGE_BUCKETS } from '@/components/data/age-buckets';
import type { AgingResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { type Column, DataTable } from '@/components/ui/DataTable';
import { DataState } from '@/components/ui/DataState';
import { Panel } from '@/components/ui/Panel';
import { ChartSkeleton } from '@/components/ui/Skeleton';
import { formatDuration } from '@/lib/format/duration';
import { formatNumber } from '@/lib/format/number';

export const agingKey = (warehouse: readonly string[]) => apiUrl('/api/v1/kpi/exception-aging', { warehouse });

type Row = AgingResponse['warehouses'][number];
const cols: Column<Row>[] = [
  { key: 'warehouse_id', header: 'Warehouse', value: (r) => r.warehouse_id },
  { key: 'open', header: 'Open', align: 'right', value: (r) => r.open, cell: (r) => formatNumber(r.open) },
  { key: 'critical', header: 'Critical', align: 'right', value: (r) => r.by_severity.critical },
  { key: 'high', header: 'High', align: 'right', value: (r) => r.by_severity.high },
  { key: 'oldest_age_seconds', header: 'Oldest', align: 'right', value: (r) => r.oldest_age_seconds, cell: (r) => formatDuration(r.oldest_age_seconds) },
  { key: 'mttr_seconds', header: 'MTTR', align: 'right', value: (r) => r.mttr_seconds, cell: (r) => formatDuration(r.mttr_seconds) },
  ...AGE_BUCKETS.map((b): Column<Row> => ({ key: b, header: AGE_BUCKET_LABELS[b], align: 'right', value: (r) => r.buckets[b] })),
];

/** Open exceptions by age bucket (now), with MTTR and the oldest per warehouse. */
export function AgingPanel({ warehouse, showTable = true }: { warehouse: readonly string[]; showTable?: boolean }) {
  const aging = useApi<AgingResponse>(agingKey(warehouse));
  return (
    <Panel title="Open exceptions by age" id="aging">
      <DataState {...aging} retry={() => void aging.mutate()} skeleton={<ChartSkeleton height={180} />}>
        {(d) => (
          <div className="space-y-3">
            <dl className="grid grid-cols-3 gap-2 text-center text-xs">
              <div>
                <dt className="text-slate-500 dark:text-slate-400">Open</dt>
                <dd className="text-lg font-semibold tabular-nums" data-testid="aging-open">
                  {formatNumber(d.total.open)}
                </dd>
              </div>
              <div>
                <dt className="text-slate-500 dark:text-slate-400">Oldest</dt>
                <dd className="text-lg font-semibold tabular-nums">{formatDuration(d.total.oldest_age_seconds)}</dd>
              </div>
              <div>
                <dt className="text-slate-500 dark:text-slate-400">MTTR (30 d)</dt>
                <dd className="text-lg font-semibold tabular-nums">{formatDuration(d.total.mttr_seconds)}</dd>
              </div>
            </dl>
            <Bars
              label="Open exceptions per age bucket"
              data={AGE_BUCKETS.map((b) => ({ bucket: AGE_BUCKET_LABELS[b], open: d.total.buckets[b] }))}
              category="bucket"
              series={[{ key: 'open', label: 'Open exceptions', color: COLORS.failed }]}
              format={formatNumber}
              height={180}
            />
            {showTable ? <DataTable caption="Exception aging per warehouse" csvName="exception-aging" columns={cols} rows={d.warehouses} rowKey={(r) => r.warehouse_id} /> : null}
          </div>
        )}
      </DataState>
    </Panel>
  );
}
