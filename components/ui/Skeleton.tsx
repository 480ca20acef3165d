/** Grey placeholders while data loads; `aria-busy` tells assistive tech something is coming. */
export function Skeleton({ className = 'h-4 w-full' }: { className?: string }) {
  return <div aria-hidden="true" className={`animate-pulse rounded bg-slate-200 dark:bg-slate-800 ${className}`} />;
}

export function SkeletonBlock({ rows = 4, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div role="status" aria-busy="true" aria-label={label} className="space-y-2 py-2">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className={`h-4 ${i % 3 === 2 ? 'w-2/3' : 'w-full'}`} />
      ))}
    </div>
  );
}

export function ChartSkeleton({ height = 240, label = 'Loading chart' }: { height?: number; label?: string }) {
  return (
    <div role="status" aria-busy="true" aria-label={label}>
      <Skeleton className="w-full" />
      <div aria-hidden="true" style={{ height }} className="mt-2 animate-pulse rounded bg-slate-100 dark:bg-slate-900" />
    </div>
  );
}
