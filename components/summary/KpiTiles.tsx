'use client';
import type { SummaryKpi, SyncLagSeriesResponse } from '@/components/data/types';
import { failureRates } from '@/components/charts/series';
import { useGlobalHref } from '@/components/shell/url-state';
import { KpiTile } from '@/components/ui/KpiTile';
import { StatusBadge } from '@/components/ui/StatusBadge';
import { changeTone, formatKpiChange, formatKpiValue, KPI_META, KPI_ORDER, previousCloseText, statusTone } from './kpi-meta';

function sparkFor(k: SummaryKpi, series: SyncLagSeriesResponse | undefined): (number | null)[] | undefined {
  if (k.key === 'sync_lag_p95') return series?.total.map((p) => p.p95);
  if (k.key === 'failure_rate') return series ? failureRates(series.total) : undefined;
  // No series endpoint for the others: previous window → this window.
  if (typeof k.value === 'number' && typeof k.previous === 'number') return [k.previous, k.value];
  if (k.key === 'close_status') return undefined;
  return [null, typeof k.value === 'number' ? k.value : null];
}

/** The summary tiles in spec order; each links to the page that explains it. */
export function KpiTiles({ kpis, series, warehouse }: { kpis: readonly SummaryKpi[]; series?: SyncLagSeriesResponse; warehouse?: string }) {
  const href = useGlobalHref();
  const byKey = new Map(kpis.map((k) => [k.key, k]));
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 md:grid-cols-3 xl:grid-cols-4">
      {KPI_ORDER.map((key) => {
        const k = byKey.get(key);
        const meta = KPI_META[key];
        if (!k) return null;
        const change = formatKpiChange(meta.kind, k.change);
        return (
          <KpiTile
            key={key}
            label={meta.label}
            value={formatKpiValue(meta.kind, k.value, { compact: true })}
            change={change}
            hint={
              k.amount !== undefined
                ? `${formatKpiValue('money', k.amount, { compact: true })} at stake`
                : meta.kind === 'status' ? previousCloseText(k.previous) : change === undefined ? 'no previous value' : undefined
            }
            changeTone={changeTone(meta.kind, k.value, k.previous, k.change)}
            tone={statusTone(k.status)}
            status={<StatusBadge status={k.status} />}
            sparkline={sparkFor(k, series)}
            href={warehouse ? href(meta.page, { ...meta.extra, warehouse }) : href(meta.page, meta.extra)}
          />
        );
      })}
    </div>
  );
}
