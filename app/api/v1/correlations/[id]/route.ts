import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';
import { correlationDetail } from '@/lib/queries/correlation';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/**
 * Next's route matcher already percent-decodes a dynamic segment once (decodeURIComponent in
 * next/dist/shared/lib/router/utils/route-matcher.js), so decoding again would corrupt ids that
 * legitimately contain `%`.
 */
export const GET = route<{ id: string }>('read', async ({ params, warehouses }) => {
  return json(await correlationDetail(warehouses.scope, params.id));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
