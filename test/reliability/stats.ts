/** Latency figures and the shape every scenario reports in. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least q of the population at or below it.
  const rank = Math.max(1, Math.ceil(q * s.length));
  return s[Math.min(rank, s.length) - 1]!;
}

export const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
export const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(3)} %` : 'n/a');

export function latencyLine(values: readonly number[]): string {
  return `n=${values.length}, p50 ${ms(percentile(values, 0.5))}, p95 ${ms(percentile(values, 0.95))}, p99 ${ms(percentile(values, 0.99))}, max ${ms(Math.max(...values))}`;
}

/** One asserted property: `ok` decides the run; `target` says what it is checked against. */
export interface Check {
  name: string;
  ok: boolean;
  value: string;
  target: string;
  /** Timing targets are reported, never asserted in CI. */
  timing?: boolean;
}

export interface ScenarioResult {
  name: string;
  checks: Check[];
  notes: string[];
  seconds: number;
  /** Raw figures (ms, counts) for callers that judge them against their own targets (the bench). */
  figures?: Record<string, number>;
}

export class Recorder {
  readonly checks: Check[] = [];
  readonly notes: string[] = [];
  figures?: Record<string, number>;
  private readonly started = Date.now();
  constructor(readonly name: string, private readonly say: (s: string) => void = (s) => console.log(s)) {}

  check(name: string, ok: boolean, value: string | number, target: string, timing = false): boolean {
    this.checks.push({ name, ok, value: String(value), target, timing });
    const mark = timing ? (ok ? 'met ' : 'miss') : ok ? 'ok  ' : 'FAIL';
    this.say(`  ${mark} ${name}: ${value} (target ${target})${timing ? ' [timing target, reported only]' : ''}`);
    return ok;
  }

  note(s: string): void {
    this.notes.push(s);
    this.say(`  · ${s}`);
  }

  result(): ScenarioResult {
    return { name: this.name, checks: this.checks, notes: this.notes, seconds: (Date.now() - this.started) / 1000, figures: this.figures };
  }
}
