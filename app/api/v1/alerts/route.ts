import { alertsOverview } from '@/lib/alerts';
import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Active alerts, the last 7 days of resolved ones, silences and rules, in the caller's scope (alerts.md). */
export const GET = route('read', async ({ warehouses }) => json(await alertsOverview(warehouses.scope, Date.now())));

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
