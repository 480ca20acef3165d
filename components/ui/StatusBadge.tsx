import type { CloseStatus, Severity, Status } from '@/components/data/types';

export type Tone = 'ok' | 'warn' | 'breach' | 'neutral' | 'info';

export const TONE_CLASSES: Record<Tone, string> = {
  ok: 'bg-emerald-100 text-emerald-800 ring-emerald-600/30 dark:bg-emerald-900/40 dark:text-emerald-200',
  warn: 'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-900/40 dark:text-amber-200',
  breach: 'bg-red-100 text-red-800 ring-red-600/30 dark:bg-red-900/40 dark:text-red-200',
  neutral: 'bg-slate-100 text-slate-700 ring-slate-500/20 dark:bg-slate-800 dark:text-slate-300',
  info: 'bg-sky-100 text-sky-800 ring-sky-600/30 dark:bg-sky-900/40 dark:text-sky-200',
};

export const TONE_BORDER: Record<Tone, string> = {
  ok: 'border-l-emerald-500',
  warn: 'border-l-amber-500',
  breach: 'border-l-red-600',
  neutral: 'border-l-slate-300 dark:border-l-slate-600',
  info: 'border-l-sky-500',
};

const STATUS_TEXT: Record<Status, string> = { ok: 'OK', warn: 'Warning', breach: 'Breach' };
const CLOSE_TONE: Record<CloseStatus, Tone> = { ready: 'ok', at_risk: 'warn', blocked: 'breach' };
const CLOSE_TEXT: Record<CloseStatus, string> = { ready: 'Ready', at_risk: 'At risk', blocked: 'Blocked' };
const SEVERITY_TONE: Record<Severity, Tone> = { critical: 'breach', high: 'warn', medium: 'info', low: 'neutral' };

export function Badge({ tone, children, title }: { tone: Tone; children: React.ReactNode; title?: string }) {
  return (
    <span title={title} className={`inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE_CLASSES[tone]}`}>
      {children}
    </span>
  );
}

export const isCloseStatus = (v: unknown): v is CloseStatus => v === 'ready' || v === 'at_risk' || v === 'blocked';

/** SLO status (ok/warn/breach), close status (ready/at_risk/blocked) or severity, each with its colour. */
export function StatusBadge({ status }: { status: Status | CloseStatus }) {
  if (isCloseStatus(status)) return <Badge tone={CLOSE_TONE[status]}>{CLOSE_TEXT[status]}</Badge>;
  return <Badge tone={status}>{STATUS_TEXT[status]}</Badge>;
}

export function SeverityBadge({ severity }: { severity: Severity | string }) {
  const tone = SEVERITY_TONE[severity as Severity] ?? 'neutral';
  return <Badge tone={tone}>{severity}</Badge>;
}

export const closeTone = (s: CloseStatus): Tone => CLOSE_TONE[s];
export const closeText = (s: CloseStatus): string => CLOSE_TEXT[s];
