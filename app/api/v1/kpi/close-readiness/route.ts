import { AppError } from '@/lib/errors';
import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { optionalTime, parsePeriod } from '@/lib/http/params';
import { closeReadiness } from '@/lib/kpi/close-readiness';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = route('read', async ({ url, warehouses }) => {
  const asOf = optionalTime(url, 'as_of') ?? Date.now();
  const raw = url.searchParams.getAll('period');
  if (raw.length > 1) throw new AppError('bad_request', 'period: give it at most once');
  // An empty `period=` means the default, like the time parameters: the month of as_of.
  const period = parsePeriod(raw[0] || null, asOf);
  return json(await closeReadiness(warehouses.scope, { period, asOf, requested: warehouses.requested }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
