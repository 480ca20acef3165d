'use client';
import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesPoint } from '@/components/data/types';
import { useConfig } from '@/components/data/use-config';
import { formatDuration, formatDurationTick } from '@/lib/format/duration';
import { formatDateTime, formatTick } from '@/lib/format/time';
import { axisTick, ChartFrame, chartStyle, COLORS, tooltipStyle } from './frame';
import { breachRuns } from './series';

interface Props {
  label: string;
  points: readonly SeriesPoint[];
  bucketSeconds: number;
  tz: string;
  height?: number;
}

/**
 * p50/p95/p99 lag per bucket; buckets whose p95 breaks the configured sync-lag SLO are shaded red so an
 * outage stands out. The SLO line and shading appear once the server's configuration has arrived.
 */
export function LagChart({ label, points, bucketSeconds, tz, height = 280 }: Props) {
  const sloSeconds = useConfig()?.slo.sync_lag_seconds;
  const data = points.map((p) => ({ ts: Date.parse(p.t), p50: p.p50, p95: p.p95, p99: p.p99 }));
  const first = data[0]?.ts ?? 0;
  const last = (data[data.length - 1]?.ts ?? 0) + bucketSeconds * 1000;
  const span = last - first;
  const runs = sloSeconds === undefined ? [] : breachRuns(points, sloSeconds, bucketSeconds);
  return (
    <ChartFrame label={label}>
      <LineChart responsive style={chartStyle(height)} data={data} title={label} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
        <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
        <XAxis dataKey="ts" type="number" scale="time" domain={[first, last]} tick={axisTick} stroke="currentColor" tickFormatter={(v: number) => formatTick(v, span, tz)} />
        <YAxis tick={axisTick} stroke="currentColor" tickFormatter={formatDurationTick} width={56} />
        {runs.map((r) => (
          <ReferenceArea key={r.from} x1={r.from} x2={r.to} fill={COLORS.breachArea} fillOpacity={0.12} ifOverflow="hidden" />
        ))}
        {sloSeconds === undefined ? null : (
          // extendDomain: the SLO line stays in view even when every bucket is well under it.
          <ReferenceLine y={sloSeconds} ifOverflow="extendDomain" stroke={COLORS.p99} strokeDasharray="4 4" label={{ value: `SLO ${formatDuration(sloSeconds)}`, fill: COLORS.p99, fontSize: 11, position: 'insideTopRight' }} />
        )}
        <Tooltip
          contentStyle={tooltipStyle}
          labelFormatter={(v) => formatDateTime(Number(v), tz)}
          formatter={(v) => (typeof v === 'number' ? formatDuration(v) : '—')}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line type="monotone" dataKey="p50" name="p50" stroke={COLORS.p50} dot={false} strokeWidth={1.5} isAnimationActive={false} />
        <Line type="monotone" dataKey="p95" name="p95" stroke={COLORS.p95} dot={false} strokeWidth={2} isAnimationActive={false} />
        <Line type="monotone" dataKey="p99" name="p99" stroke={COLORS.p99} dot={false} strokeWidth={1.5} isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
}
