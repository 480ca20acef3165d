'use client';
import { useAlerts } from './use-alerts';

/**
 * The number of firing alerts in the caller's scope, for the navigation's "Alerts" link. Renders
 * nothing while loading, on error, or when nothing fires, so it never adds noise.
 */
export function FiringBadge() {
  const { data } = useAlerts();
  const n = data?.active.length ?? 0;
  if (n === 0) return null;
  const label = `${n} firing alert${n === 1 ? '' : 's'}`;
  return (
    <span
      data-testid="firing-badge"
      title={label}
      aria-label={label}
      className="ml-1 inline-flex min-w-5 items-center justify-center rounded-full bg-red-600 px-1.5 text-xs font-semibold leading-5 text-white"
    >
      {n > 99 ? '99+' : n}
    </span>
  );
}
