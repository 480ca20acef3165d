import { sql, unsafeRaw, type Sql } from '@/lib/store';
import { HIST_GAMMA } from '@/lib/store/rollups';

/**
 * Quantiles from a merged log-bucket histogram (lib/store/rollups.ts `lagBucket`: bucket k > 0 holds
 * [γ^(k−1), γ^k), negatives mirror it, 0 is its own bucket), computed in SQL so that an answer leaves the
 * engine as a few numbers per group instead of its whole histogram.
 *
 * Expects, in scope, h_keys (ascending), h_counts, h_min and h_max: each bucket's key, count, smallest and
 * largest value. The nearest-rank quantile's rank ceil(P·n/100) is found exactly; its bucket answers with
 * its min or max when the rank is the bucket's first or last (then it IS the exact value), else with the
 * bucket's representative 2γ^|k|/(1+γ) clamped to [min, max]: within (γ−1)/(γ+1) < 0.5 % of every value in
 * the bucket (metrics.md allows 1 %). Yields Array(Nullable(Float64)), one per percent, null when n = 0.
 */
export const histQuantilesSql = (percents: readonly number[]): Sql => {
  if (!percents.every((pc) => Number.isInteger(pc) && pc > 0 && pc <= 100)) throw new Error('percents are integers in (0, 100]');
  return sql`
  arrayMap((r, i) -> if(r = 0, NULL, multiIf(
      h_min[i] = h_max[i] OR r = arrayCumSum(h_counts)[i] - h_counts[i] + 1, toFloat64(h_min[i]),
      r = arrayCumSum(h_counts)[i], toFloat64(h_max[i]),
      least(toFloat64(h_max[i]), greatest(toFloat64(h_min[i]), sign(h_keys[i]) * 2 * pow(${HIST_GAMMA}, abs(h_keys[i])) / (1 + ${HIST_GAMMA}))))),
    arrayMap(pc -> toUInt64(least(arraySum(h_counts), greatest(1, intDiv(pc * arraySum(h_counts) + 99, 100)))) * (arraySum(h_counts) > 0),
             [${unsafeRaw(percents.join(', '))}]) AS _ranks,
    arrayMap(r -> arrayFirstIndex(x -> x >= r, arrayCumSum(h_counts)), _ranks))`;
};

/**
 * Merging cells (columns k, c, mn, mx: one bucket each, c = 0 for none) into one histogram per group takes
 * two levels: HIST_INNER per group × k (a scalar GROUP BY), then HIST_OUTER per group, which yields h_keys,
 * h_counts, h_min and h_max for histQuantilesSql. Measured on 1M events: several times faster than merging
 * per-row arrays with sumMap / minMap / maxMap, whose cost grows with every array element merged.
 */
export const HIST_INNER = sql`sum(c) AS hc, minIf(mn, c > 0) AS hn, maxIf(mx, c > 0) AS hx`;
export const HIST_OUTER = sql`
  arraySort(x -> x.1, groupArrayIf(tuple(k, hc, hn, hx), hc > 0)) AS hs,
  arrayMap(x -> x.1, hs) AS h_keys, arrayMap(x -> x.2, hs) AS h_counts, arrayMap(x -> x.3, hs) AS h_min, arrayMap(x -> x.4, hs) AS h_max`;
