import Link from 'next/link';
import type { ReactNode } from 'react';
import { Sparkline } from './Sparkline';
import { TONE_BORDER, type Tone } from './StatusBadge';

export interface KpiTileProps {
  label: string;
  value: string;
  /** Already formatted change vs the previous window, e.g. "+2 h 14 m". */
  change?: string;
  /** Whether the change is good, bad or neither, for its colour. */
  changeTone?: 'good' | 'bad' | 'flat';
  tone: Tone;
  status?: ReactNode;
  sparkline?: readonly (number | null)[];
  href?: string;
  hint?: string;
}

const CHANGE_CLASS = {
  good: 'text-emerald-700 dark:text-emerald-400',
  bad: 'text-red-700 dark:text-red-400',
  flat: 'text-slate-500 dark:text-slate-400',
};

const SPARK_COLOR: Record<Tone, string> = { ok: '#059669', warn: '#d97706', breach: '#dc2626', neutral: '#64748b', info: '#0284c7' };

/** One KPI: value, change vs previous window, SLO colour (left border + badge) and a sparkline. */
export function KpiTile({ label, value, change, changeTone = 'flat', tone, status, sparkline, href, hint }: KpiTileProps) {
  const body = (
    <>
      <div className="flex items-start justify-between gap-2">
        <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</h3>
        {status}
      </div>
      <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="kpi-value">
        {value}
      </p>
      <div className="mt-1 flex items-end justify-between gap-2">
        <p className={`text-xs tabular-nums ${CHANGE_CLASS[changeTone]}`}>
          {change ? (
            <>
              {change} <span className="text-slate-500 dark:text-slate-400">vs previous</span>
            </>
          ) : (
            (hint ?? '\u00a0')
          )}
        </p>
        {sparkline ? <Sparkline values={sparkline} label={`${label} trend`} tone={SPARK_COLOR[tone]} /> : null}
      </div>
    </>
  );
  const cls = `block min-w-0 rounded-lg border border-slate-200 border-l-4 bg-white p-3 shadow-sm dark:border-slate-800 dark:bg-slate-900 ${TONE_BORDER[tone]}`;
  return href ? (
    <Link href={href} className={`${cls} hover:shadow-md focus-visible:outline-2 focus-visible:outline-sky-500`} aria-label={`${label}: ${value}`}>
      {body}
    </Link>
  ) : (
    <div className={cls}>{body}</div>
  );
}
