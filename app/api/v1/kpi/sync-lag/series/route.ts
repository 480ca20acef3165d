import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { parseWindow } from '@/lib/http/params';
import { syncLagSeries } from '@/lib/kpi/sync-lag-series';
import { parseTimeZone } from '@/lib/kpi/time';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const { from, to } = parseWindow(url);
  return json(await syncLagSeries(warehouses.scope, { from, to, tz: parseTimeZone(url.searchParams.get('tz')) }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
