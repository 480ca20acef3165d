import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { optionalTime, parseWindow } from '@/lib/http/params';
import { invoiceLatency } from '@/lib/kpi/invoice-latency';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const now = Date.now();
  const { from, to } = parseWindow(url, now);
  const asOf = optionalTime(url, 'as_of') ?? now;
  return json(await invoiceLatency(warehouses.scope, { from, to, asOf, requested: warehouses.requested }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
