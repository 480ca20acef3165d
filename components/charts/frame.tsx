import type { CSSProperties, ReactNode } from 'react';

/** Series colours readable on both white and slate-950. */
export const COLORS = {
  p50: '#0ea5e9',
  p95: '#f59e0b',
  p99: '#ef4444',
  failed: '#f97316',
  dead: '#b91c1c',
  retried: '#a855f7',
  ok: '#10b981',
  neutral: '#64748b',
  breachArea: '#ef4444',
} as const;

export const PALETTE = ['#0ea5e9', '#f59e0b', '#10b981', '#a855f7', '#ef4444', '#14b8a6', '#eab308', '#6366f1', '#ec4899', '#84cc16'];

export const tooltipStyle: CSSProperties = {
  background: 'var(--chart-tooltip-bg)',
  color: 'var(--chart-tooltip-fg)',
  border: '1px solid var(--chart-tooltip-border)',
  borderRadius: 6,
  fontSize: 12,
};

export const axisTick = { fill: 'currentColor', fontSize: 11 };

/** Every chart sits in a labelled figure: the label is what a screen reader announces. */
export function ChartFrame({ label, children, legend }: { label: string; children: ReactNode; legend?: ReactNode }) {
  return (
    <figure aria-label={label} className="m-0 min-w-0 text-slate-500 dark:text-slate-400">
      <figcaption className="sr-only">{label}</figcaption>
      {children}
      {legend}
    </figure>
  );
}

export const chartStyle = (height: number): CSSProperties => ({ width: '100%', height });
