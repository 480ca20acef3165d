import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { parseWindow } from '@/lib/http/params';
import { syncLagBreakdown } from '@/lib/kpi/sync-lag-series';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => json(await syncLagBreakdown(warehouses.scope, parseWindow(url))));

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
