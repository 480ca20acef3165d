'use client';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesPoint } from '@/components/data/types';
import { formatNumber } from '@/lib/format/number';
import { formatDateTime, formatTick } from '@/lib/format/time';
import { axisTick, ChartFrame, chartStyle, COLORS, tooltipStyle } from './frame';

/** Failed and dead-lettered messages per bucket, stacked: a failure burst reads as one tall bar. */
export function FailureBars({ label, points, tz, height = 200 }: { label: string; points: readonly SeriesPoint[]; tz: string; height?: number }) {
  const data = points.map((p) => ({ ts: Date.parse(p.t), failed: p.failed, dead_lettered: p.dead_lettered, retried: p.retried }));
  const span = (data[data.length - 1]?.ts ?? 0) - (data[0]?.ts ?? 0);
  return (
    <ChartFrame label={label}>
      <BarChart responsive style={chartStyle(height)} data={data} title={label} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
        <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
        <XAxis dataKey="ts" tick={axisTick} stroke="currentColor" tickFormatter={(v: number) => formatTick(v, span, tz)} interval="preserveStartEnd" minTickGap={24} />
        <YAxis tick={axisTick} stroke="currentColor" allowDecimals={false} width={56} />
        <Tooltip contentStyle={tooltipStyle} labelFormatter={(v) => formatDateTime(Number(v), tz)} formatter={(v) => (typeof v === 'number' ? formatNumber(v) : '—')} cursor={{ fillOpacity: 0.08 }} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="failed" name="Failed" stackId="f" fill={COLORS.failed} isAnimationActive={false} />
        <Bar dataKey="dead_lettered" name="Dead-lettered" stackId="f" fill={COLORS.dead} isAnimationActive={false} />
        <Bar dataKey="retried" name="Retried" fill={COLORS.retried} isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}
