'use client';
import { Bars } from '@/components/charts/Bars';
import { COLORS } from '@/components/charts/frame';
import { apiUrl } from '@/components/data/fetcher';
import type { DriftResponse } from '@/components/data/types';
import { useApi } from '@/components/data/use-api';
import { useConfig } from '@/components/data/use-config';
import { useRange, useWarehouses } from '@/components/shell/url-state';
import { DataState } from '@/components/ui/DataState';
import { EmptyState } from '@/components/ui/EmptyState';
import { PageHeader, Panel } from '@/components/ui/Panel';
import { ChartSkeleton } from '@/components/ui/Skeleton';
import { formatMoney, formatNumber, formatPercent } from '@/lib/format/number';
import { formatDateTime } from '@/lib/format/time';
import { explainedClause } from './causes';
import { useDriftCauses } from './use-causes';
import { DriftSkuTable, DriftTable } from './tables';

/** `/drift`: ERP vs WMS on-hand per warehouse as of the end of the window, and the SKUs that disagree. */
export function DriftView() {
  const range = useRange();
  const warehouse = useWarehouses();
  const drift = useApi<DriftResponse>(apiUrl('/api/v1/kpi/drift', { as_of: range.toIso, warehouse }));
  const { skus, causes, summary } = useDriftCauses(range.toIso, warehouse);
  // "worth $6,469, of which $6,200 is explained by 3 failed syncs" (components/drift/causes.ts).
  const clause = drift.data && summary ? explainedClause(drift.data.total.drift_value, summary) : '';
  // Bars take the summary's drift-value colours: warn and breach at or above the configured levels.
  const levels = useConfig()?.summary.drift_value;

  return (
    <div className="space-y-4">
      <PageHeader
        title="Inventory drift"
        subtitle={
          drift.data
            ? `As of ${formatDateTime(drift.data.as_of, range.tz)}: ${formatNumber(drift.data.total.skus_mismatched)} of ${formatNumber(drift.data.total.skus_compared)} SKUs differ (${formatPercent(drift.data.total.mismatch_rate)}), worth ${formatMoney(drift.data.total.drift_value)}${clause ? `, ${clause}` : ''}.`
            : 'Latest ERP vs WMS snapshot per SKU.'
        }
      />
      <Panel title="Drift value per warehouse" id="drift-chart">
        <DataState {...drift} retry={() => void drift.mutate()} skeleton={<ChartSkeleton />} isEmpty={(d) => d.total.skus_compared === 0} empty={<EmptyState title="No SKU has both an ERP and a WMS snapshot yet" />}>
          {(d) => (
            <Bars
              label="Inventory drift value per warehouse"
              data={d.warehouses.map((w) => ({ warehouse: w.warehouse_id, value: w.drift_value }))}
              category="warehouse"
              series={[{ key: 'value', label: 'Drift value', color: COLORS.p95 }]}
              format={(v) => formatMoney(v)}
              tick={(v) => formatMoney(v, 'USD', { compact: true })}
              barColor={(r) => (!levels ? COLORS.p95 : r.value >= levels.breach ? COLORS.dead : r.value >= levels.warn ? COLORS.p95 : COLORS.ok)}
              height={240}
            />
          )}
        </DataState>
      </Panel>
      <Panel title="Per warehouse" id="drift-table">
        <DataState {...drift} retry={() => void drift.mutate()}>
          {(d) => <DriftTable rows={d.warehouses} />}
        </DataState>
      </Panel>
      <Panel title="Mismatched SKUs, worst first" id="drift-skus">
        <DataState {...skus} retry={() => void skus.mutate()}>
          {(d) => <DriftSkuTable items={d.items} tz={range.tz} causes={causes.error ? undefined : (causes.data ?? null)} />}
        </DataState>
      </Panel>
    </div>
  );
}
