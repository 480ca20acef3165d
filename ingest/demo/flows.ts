import type { Ctx, Emitter } from './emit';
import { CARRIERS, DAY, HOUR, MIN, SEC, VENDORS, type WarehouseProfile } from './model';
import { cents, clamp } from './random';

export interface OrderSpec {
  readonly n: number;
  readonly corr: string;
  readonly wh: WarehouseProfile;
  readonly createdAt: number;
  readonly skus: number;
  /** The scripted long-open critical credit hold. */
  readonly criticalHold?: boolean;
}

const sku = (em: Emitter, skus: number) => `SKU-${1001 + em.rng.int(0, skus - 1)}`;

/** Order → pick → ship → invoice → payment, each step with its integration hops and occasional trouble. */
export function orderToCash(em: Emitter, o: OrderSpec): void {
  const rng = em.rng;
  const ctx: Ctx = { wh: o.wh.id, corr: o.corr, workflow: 'order_to_cash', doc: `SO${o.n}` };
  const amount = cents(clamp(rng.logNormal(850, 1), 25, 60_000));
  const channel = rng.weighted({ b2b_portal: 45, edi: 30, api: 15, sales_rep: 10 });
  let t = o.createdAt;

  if (!em.emit('order.created', ctx, t, 'ECOM', { amount, currency: 'USD', channel })) return;
  em.hop(ctx, t, 'ECOM', 'ERP', 'order_api');
  if (channel === 'edi') em.hop(ctx, t + rng.range(30 * SEC, 3 * MIN), 'ERP', 'EDI', 'edi_855');
  if (o.criticalHold) {
    em.exception(ctx, t + rng.range(2 * MIN, 10 * MIN), 'ERP', 'credit_hold', `Order ${ctx.doc} over credit limit by $${Math.round(amount)}; customer past due 90 days`, {
      severity: 'critical',
      keepOpen: true,
    });
  } else if (rng.chance(0.012)) {
    em.exception(ctx, t + rng.range(MIN, 15 * MIN), 'ERP', 'credit_hold', `Order ${ctx.doc} on credit hold`);
  }
  if (rng.chance(0.015)) em.exception(ctx, t + rng.range(MIN, 30 * MIN), 'ERP', 'pricing', `Line price differs from contract on ${ctx.doc}`);
  if (rng.chance(0.008)) em.exception(ctx, t + rng.range(MIN, 30 * MIN), 'ERP', 'tax', `Tax jurisdiction missing for ship-to on ${ctx.doc}`);
  if (o.criticalHold || rng.chance(0.015)) return; // held or cancelled: never picked

  const item = sku(em, o.skus);
  const quantity = rng.int(1, 48);
  t += clamp(rng.logNormal(2.5 * HOUR, 0.7), 10 * MIN, 20 * HOUR);
  if (!em.emit('pick.confirmed', ctx, t, 'WMS', { sku: item, quantity, uom: 'EA' })) return;
  em.hop(ctx, t, 'WMS', 'ERP', 'pick_events');

  t += clamp(rng.logNormal(5 * HOUR, 0.7), 20 * MIN, 30 * HOUR);
  const shipAt = t;
  const asn = `ASN-${o.n + 400_000}`;
  if (!em.emit('shipment.confirmed', ctx, t, 'WMS', { amount, currency: 'USD', carrier: rng.pick(CARRIERS) }, { doc: asn })) return;
  em.hop(ctx, t, 'WMS', 'ERP', 'shipment_confirm', asn);
  em.hop(ctx, t + rng.range(20 * SEC, 3 * MIN), 'ERP', 'TMS', 'shipment_api', asn);

  if (rng.chance(o.wh.stuckRate)) {
    // Shipped, never invoiced: the ERP nags once the posting SLO has passed.
    if (rng.chance(0.5)) em.exception(ctx, shipAt + 48 * HOUR + rng.range(0, 6 * HOUR), 'ERP', 'missing_document', `No invoice 48 h after shipment ${asn}`);
    return;
  }
  const lateTail = o.wh.slowInvoicing && rng.chance(0.04);
  if (rng.chance(0.003)) {
    t = shipAt - rng.range(5 * MIN, 4 * HOUR); // invoice stamped before its shipment: a data anomaly
  } else if (lateTail) {
    t = shipAt + rng.range(48 * HOUR, 6 * DAY);
  } else {
    t = shipAt + 2 * HOUR + clamp(rng.logNormal(6 * HOUR, 0.9), 0, 38 * HOUR);
  }
  const mismatch = rng.chance(0.015);
  const invoiced = mismatch ? cents(amount * (1 + (rng.chance(0.5) ? 1 : -1) * rng.range(0.02, 0.12))) : amount;
  const inv = `INV${o.n + 600_000}`;
  if (!em.emit('invoice.posted', ctx, t, 'ERP', { amount: invoiced, currency: 'USD' }, { doc: inv })) return;
  if (channel === 'edi') em.hop(ctx, t + rng.range(MIN, 20 * MIN), 'ERP', 'EDI', 'edi_810', inv);
  if (mismatch) em.exception(ctx, t + rng.range(10 * MIN, 2 * HOUR), 'ERP', 'invoice_mismatch', `${inv} amount ${invoiced} ≠ shipped ${amount}`);

  if (rng.chance(0.03)) return; // never paid (yet)
  t += clamp(rng.logNormal(12 * DAY, 0.5), 2 * DAY, 45 * DAY);
  if (!em.emit('payment.received', ctx, t, 'PAY', { amount: invoiced, currency: 'USD', method: rng.pick(['ACH', 'wire', 'card', 'check']) })) return;
  em.hop(ctx, t, 'PAY', 'ERP', 'payment_api');
}

/** Inbound: supplier ASN, receipt, vendor invoice, payment run. */
export function procureToPay(em: Emitter, n: number, wh: WarehouseProfile, at: number, skus: number): void {
  const rng = em.rng;
  const ctx: Ctx = { wh: wh.id, corr: `PO-${n}`, workflow: 'procure_to_pay', doc: `PO-${n}` };
  const amount = cents(clamp(rng.logNormal(6500, 0.9), 200, 250_000));
  em.hop(ctx, at - rng.range(2 * HOUR, 2 * DAY), 'EDI', 'ERP', 'edi_856', `ASN-IN-${n}`);
  const attrs = { amount, currency: 'USD', sku: sku(em, skus), quantity: rng.int(24, 1200), uom: 'EA', vendor: rng.pick(VENDORS) };
  if (!em.emit('receipt.posted', ctx, at, 'WMS', attrs)) return;
  em.hop(ctx, at, 'WMS', 'ERP', 'receipt_api');
  let t = at + clamp(rng.logNormal(2 * DAY, 0.6), 2 * HOUR, 15 * DAY);
  const mismatch = rng.chance(0.03);
  const billed = mismatch ? cents(amount * rng.range(1.01, 1.08)) : amount;
  const vinv = `VINV-${n + 50_000}`;
  if (!em.emit('invoice.posted', ctx, t, 'ERP', { amount: billed, currency: 'USD' }, { doc: vinv })) return;
  em.hop(ctx, t - rng.range(MIN, 30 * MIN), 'EDI', 'ERP', 'edi_810', vinv);
  if (mismatch) em.exception(ctx, t + rng.range(30 * MIN, 4 * HOUR), 'ERP', 'invoice_mismatch', `Vendor invoice ${vinv} over PO by ${cents(billed - amount)}`);
  t += clamp(rng.logNormal(10 * DAY, 0.5), 2 * DAY, 40 * DAY);
  if (!em.emit('payment.received', ctx, t, 'PAY', { amount: billed, currency: 'USD' })) return;
  em.hop(ctx, t, 'ERP', 'PAY', 'payment_api');
}

/** Customer return received at the DC, then credited by finance. */
export function returnToCredit(em: Emitter, n: number, wh: WarehouseProfile, at: number, skus: number): void {
  const rng = em.rng;
  const ctx: Ctx = { wh: wh.id, corr: `RMA-${n}`, workflow: 'return_to_credit', doc: `RMA-${n}` };
  const amount = cents(clamp(rng.logNormal(320, 0.9), 10, 20_000));
  const reason = rng.pick(['damaged', 'wrong_item', 'not_needed', 'late_delivery']);
  if (!em.emit('return.received', ctx, at, 'WMS', { amount, currency: 'USD', sku: sku(em, skus), quantity: rng.int(1, 12), uom: 'EA', reason })) return;
  em.hop(ctx, at, 'WMS', 'ERP', 'returns_api');
  if (rng.chance(0.05)) em.exception(ctx, at + rng.range(10 * MIN, 3 * HOUR), 'ERP', 'missing_document', `RMA-${n} has no original invoice reference`);
  if (rng.chance(0.06)) return; // credit still pending review
  const t = at + clamp(rng.logNormal(3 * DAY, 0.7), 4 * HOUR, 20 * DAY);
  if (!em.emit('credit.issued', ctx, t, 'ERP', { amount, currency: 'USD' }, { doc: `CM-${n}` })) return;
  em.hop(ctx, t, 'ERP', 'ECOM', 'credit_api', `CM-${n}`);
}

/** Stock moved between two DCs: shipped at one, received at the other days later. */
export function transfer(em: Emitter, n: number, from: WarehouseProfile, to: WarehouseProfile, at: number, skus: number): void {
  const rng = em.rng;
  const corr = `TR-${n}`;
  const attrs = { sku: sku(em, skus), quantity: rng.int(12, 600), uom: 'EA' };
  const out: Ctx = { wh: from.id, corr, workflow: 'shipping', doc: corr };
  if (!em.emit('transfer.shipped', out, at, 'WMS', { ...attrs, destination: to.id })) return;
  em.hop(out, at, 'WMS', 'ERP', 'transfer_api');
  const inn: Ctx = { ...out, wh: to.id };
  const t = at + clamp(rng.logNormal(2 * DAY, 0.4), 12 * HOUR, 6 * DAY);
  if (!em.emit('transfer.received', inn, t, 'WMS', { ...attrs, origin: from.id })) return;
  em.hop(inn, t, 'WMS', 'ERP', 'transfer_api');
}
