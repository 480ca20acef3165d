/**
 * "Steady from start to end" (issue 16): the run's duration cut in ten equal time slices, the events/s
 * of each from the cumulative progress (linear between progress points), and the rule: steady when the
 * last tenth runs at ≥ 0.8 × the first tenth's rate.
 */

export const STEADY_RULE = 0.8;
export const STEADY_RULE_TEXT = `steady = the last tenth of the run's time ingests at ≥ ${STEADY_RULE} × the events/s of the first tenth`;

/** Events done (`n`) `t` seconds into a phase. */
export interface Point {
  t: number;
  n: number;
}

export interface Steadiness {
  first_per_s: number | null;
  last_per_s: number | null;
  min_decile_per_s: number | null;
  max_decile_per_s: number | null;
  last_vs_first: number | null;
  steady: boolean | null;
  points: number;
  /** Why no verdict (too few progress points for ten slices). */
  note: string | null;
}

function at(points: readonly Point[], t: number): number {
  let prev: Point = { t: 0, n: 0 };
  for (const p of points) {
    if (p.t >= t) return p.t === prev.t ? p.n : prev.n + ((p.n - prev.n) * (t - prev.t)) / (p.t - prev.t);
    prev = p;
  }
  return prev.n;
}

export function steadiness(raw: readonly Point[]): Steadiness {
  const points = [...raw].filter((p) => p.t > 0).sort((a, b) => a.t - b.t);
  const none = (note: string): Steadiness => ({
    first_per_s: null, last_per_s: null, min_decile_per_s: null, max_decile_per_s: null, last_vs_first: null, steady: null, points: points.length, note,
  });
  // Fewer than ~5 points (e.g. a small run: one request, or a CLI run shorter than its 5 s progress line)
  // would make the slices pure interpolation.
  if (points.length < 5) return none(`${points.length} progress points: too few for ten slices`);
  const T = points[points.length - 1]!.t;
  const rates = Array.from({ length: 10 }, (_, k) => (at(points, ((k + 1) * T) / 10) - at(points, (k * T) / 10)) / (T / 10));
  const first = rates[0]!;
  const last = rates[9]!;
  const ratio = first > 0 ? last / first : null;
  return {
    first_per_s: Math.round(first), last_per_s: Math.round(last),
    min_decile_per_s: Math.round(Math.min(...rates)), max_decile_per_s: Math.round(Math.max(...rates)),
    last_vs_first: ratio === null ? null : Math.round(ratio * 100) / 100,
    steady: ratio === null ? null : ratio >= STEADY_RULE,
    points: points.length, note: null,
  };
}

/**
 * `npm run ingest` prints `<rate> events/s · accepted A · duplicates D · rejected R` to stderr every 5 s
 * (not a TTY), where rate = events so far / seconds since its loop started: each line is one point.
 */
export function cliProgress(log: string): Point[] {
  const out: Point[] = [];
  for (const m of log.matchAll(/^(\d+) events\/s · accepted (\d+) · duplicates (\d+) · rejected (\d+)$/gm)) {
    const rate = Number(m[1]);
    const n = Number(m[2]) + Number(m[3]) + Number(m[4]);
    if (rate > 0 && n > 0) out.push({ t: n / rate, n });
  }
  return out;
}
