/** A tiny trend line in plain SVG: tiles need the shape of the trend, not axes or tooltips. */
export function Sparkline({ values, label, width = 120, height = 32, tone = 'currentColor' }: { values: readonly (number | null)[]; label: string; width?: number; height?: number; tone?: string }) {
  const pts = values.map((v, i) => ({ i, v })).filter((p): p is { i: number; v: number } => p.v !== null && Number.isFinite(p.v));
  if (pts.length < 2) {
    return (
      <svg role="img" aria-label={`${label}: not enough data for a trend`} width={width} height={height} className="text-slate-300 dark:text-slate-700">
        <line x1={0} x2={width} y1={height / 2} y2={height / 2} stroke="currentColor" strokeDasharray="3 3" />
      </svg>
    );
  }
  const min = Math.min(...pts.map((p) => p.v));
  const max = Math.max(...pts.map((p) => p.v));
  const span = max - min || 1;
  const n = Math.max(values.length - 1, 1);
  const pad = 2;
  const x = (i: number) => pad + (i / n) * (width - 2 * pad);
  const y = (v: number) => height - pad - ((v - min) / span) * (height - 2 * pad);
  const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const last = pts[pts.length - 1]!;
  return (
    <svg role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`} className="overflow-visible">
      <path d={d} fill="none" stroke={tone} strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" />
      <circle cx={x(last.i)} cy={y(last.v)} r={2} fill={tone} />
    </svg>
  );
}
