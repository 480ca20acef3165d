import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { optionalTime, parseWindow } from '@/lib/http/params';
import { exceptionAging } from '@/lib/kpi/exception-aging';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const now = Date.now();
  const asOf = optionalTime(url, 'as_of') ?? now;
  // Without from/to the MTTR window follows as_of (metrics.md); with either, api.md's window defaults.
  const hasWindow = optionalTime(url, 'from') !== undefined || optionalTime(url, 'to') !== undefined;
  const window = hasWindow ? parseWindow(url, now) : {};
  return json(await exceptionAging(warehouses.scope, { asOf, ...window, requested: warehouses.requested }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
