import type { AgeBucket } from '@/lib/kpi/common';

/** metrics.md §2 age buckets, in the server's order (its AgeBucket type keeps the names in step). */
export const AGE_BUCKETS: readonly AgeBucket[] = ['lt_4h', 'h4_24', 'd1_3', 'd3_7', 'gt_7d'];
export const AGE_BUCKET_LABELS: Record<AgeBucket, string> = {
  lt_4h: '< 4 h',
  h4_24: '4–24 h',
  d1_3: '1–3 d',
  d3_7: '3–7 d',
  gt_7d: '> 7 d',
};
