'use client';
import { Bar, BarChart, CartesianGrid, Cell, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { axisTick, ChartFrame, chartStyle, PALETTE, tooltipStyle } from './frame';

export interface BarSeries {
  key: string;
  label: string;
  color?: string;
  stackId?: string;
}

interface Props<T> {
  label: string;
  data: readonly T[];
  category: keyof T & string;
  series: readonly BarSeries[];
  format: (v: number) => string;
  tick?: (v: number) => string;
  height?: number;
  /** Colour one bar by its row (e.g. by status); only with a single series. */
  barColor?: (row: T) => string | undefined;
  horizontal?: boolean;
}

/** Bars by category: aging buckets, latency per warehouse, drift value per warehouse… */
export function Bars<T extends object>({ label, data, category, series, format, tick, height = 240, barColor, horizontal = false }: Props<T>) {
  // Recharts types dataKey against the row type; rows are plain records here.
  const rows = data as unknown as Record<string, unknown>[];
  const fmt = (v: unknown) => (typeof v === 'number' ? format(v) : String(v ?? ''));
  return (
    <ChartFrame label={label}>
      <BarChart responsive style={chartStyle(height)} data={rows} layout={horizontal ? 'vertical' : 'horizontal'} title={label} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
        <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={horizontal} horizontal={!horizontal} />
        {horizontal ? (
          <>
            <XAxis type="number" tick={axisTick} stroke="currentColor" tickFormatter={tick ?? format} />
            <YAxis type="category" dataKey={category as string} tick={axisTick} stroke="currentColor" width={90} />
          </>
        ) : (
          <>
            <XAxis dataKey={category as string} tick={axisTick} stroke="currentColor" interval="preserveStartEnd" />
            <YAxis tick={axisTick} stroke="currentColor" tickFormatter={tick ?? format} width={64} />
          </>
        )}
        <Tooltip contentStyle={tooltipStyle} formatter={(v) => fmt(v)} cursor={{ fillOpacity: 0.08 }} />
        {series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
        {series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color ?? PALETTE[i % PALETTE.length]} stackId={s.stackId} isAnimationActive={false}>
            {barColor && series.length === 1 ? data.map((r, j) => <Cell key={j} fill={barColor(r) ?? s.color ?? PALETTE[0]} />) : null}
          </Bar>
        ))}
      </BarChart>
    </ChartFrame>
  );
}
