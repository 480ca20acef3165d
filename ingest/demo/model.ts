import type { Severity } from '@/lib/events/constants';

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/**
 * Warehouses differ on purpose so the dashboards have something to rank: volume (`weight`), how
 * often a shipment is never invoiced (`stuckRate`: 0 keeps a DC out of `blocked` on that ground) and
 * whether invoicing has a long tail past the 48 h posting SLO.
 */
export interface WarehouseProfile {
  readonly id: string;
  readonly weight: number;
  readonly skus: number;
  readonly stuckRate: number;
  readonly slowInvoicing: boolean;
}

export const PROFILES: readonly WarehouseProfile[] = [
  { id: 'DC-ATL', weight: 1.3, skus: 80, stuckRate: 0.03, slowInvoicing: true },
  { id: 'DC-DAL', weight: 1.0, skus: 60, stuckRate: 0.05, slowInvoicing: true },
  { id: 'DC-CHI', weight: 1.2, skus: 72, stuckRate: 0, slowInvoicing: false },
  { id: 'DC-LAX', weight: 1.1, skus: 64, stuckRate: 0.04, slowInvoicing: true },
  { id: 'DC-NJ', weight: 1.2, skus: 76, stuckRate: 0.03, slowInvoicing: true },
  { id: 'DC-SEA', weight: 0.7, skus: 48, stuckRate: 0, slowInvoicing: false },
  { id: 'DC-MIA', weight: 0.8, skus: 52, stuckRate: 0.06, slowInvoicing: true },
  { id: 'DC-DEN', weight: 0.6, skus: 40, stuckRate: 0, slowInvoicing: false },
];

/** The one DC that goes dark, and the ones whose latest stock counts disagree between ERP and WMS. */
export const OUTAGE_WAREHOUSE = 'DC-DAL';
export const OUTAGE_HOURS = 6;
/**
 * One interface that breaks in the last day (so the default 24 h window shows it): most of the
 * warehouse's over-SLO messages and a failure rate far above the day before, which the lag hint names.
 */
export const INCIDENT = { warehouse: 'DC-DAL', iface: 'shipment_confirm', fromAgo: 20 * HOUR, toAgo: HOUR } as const;
export const DRIFT_WAREHOUSES: readonly string[] = ['DC-DAL', 'DC-MIA'];
/** Home of the long-open critical credit hold that keeps one DC's close `blocked`. */
export const CREDIT_HOLD_WAREHOUSE = 'DC-MIA';

/** Orders per warehouse-day at weight 1, scale 1; about 5k orders a month over the eight DCs. */
export const ORDERS_PER_DAY = 21;

/** UTC hour-of-day weights: US business hours run roughly 13:00–02:00 UTC. */
export const HOUR_WEIGHTS: readonly number[] = [
  4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 9, 8, 8, 7, 6, 5,
];

export const CARRIERS = ['UPS', 'FedEx', 'XPO', 'Estes', 'Saia', 'ODFL'] as const;
export const VENDORS = ['Acme Supply', 'Globex Industrial', 'Initech Parts', 'Umbrella Packaging', 'Stark Components'] as const;
/**
 * The demo month's triage history (acknowledged, assigned, resolved) comes from the company's service
 * desk feed, not from the tower: ingest reserves `control-tower` for triage done in the tower itself.
 */
export const SERVICE_DESK = 'SERVICEDESK';
/** Service desk agents, as the desk's feed names them (data, not tower users). */
export const ACTORS = [
  'ana@example.com',
  'marcus@example.com',
  'priya@example.com',
  'jon@example.com',
  'li.wei@example.com',
  'sofia@example.com',
] as const;
export const OWNERS = [...ACTORS, 'ar-team@example.com', 'wms-support@example.com', 'integration-oncall@example.com'] as const;

export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = { low: 46, medium: 38, high: 12, critical: 4 };
/** Median time to resolve by severity; critical issues get fixed fast, low ones linger. */
export const MTTR_MEDIAN: Readonly<Record<Severity, number>> = {
  critical: 3 * HOUR,
  high: 10 * HOUR,
  medium: 30 * HOUR,
  low: 60 * HOUR,
};
/** Share never resolved: this is what builds the aged backlog (some > 7 days). */
export const FORGOTTEN: Readonly<Record<Severity, number>> = { critical: 0, high: 0.03, medium: 0.07, low: 0.12 };

export const RESOLUTIONS: Readonly<Record<string, readonly string[]>> = {
  sync_failure: ['reprocessed', 'replayed from dead-letter queue', 'mapping fixed and resent'],
  inventory_mismatch: ['cycle count corrected ERP', 'WMS adjustment posted', 'timing difference, self-cleared'],
  invoice_mismatch: ['credit memo issued', 'invoice reissued', 'price corrected in ERP'],
  pricing: ['contract price applied', 'price override approved'],
  tax: ['tax jurisdiction corrected', 'exemption certificate attached'],
  credit_hold: ['credit limit raised', 'prepayment received', 'order released by credit manager'],
  missing_document: ['document re-sent', 'invoice posted manually'],
};

export const HOSTILE_IDS: readonly ((n: number) => string)[] = [
  (n) => `SO-"RUSH"-${n}`,
  (n) => `SO ${n} back order`,
  (n) => `SO/EAST/${n}`,
  (n) => `SO-📦-${n}`,
  (n) => `SO-back\\slash-${n}`,
  (n) => `SO-${n} 100% ünïcødé`,
];

export const iso = (ms: number): string => new Date(ms).toISOString();
export const dayStart = (ms: number): number => Math.floor(ms / DAY) * DAY;
