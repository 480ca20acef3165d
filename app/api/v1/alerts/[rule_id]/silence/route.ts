import { readBody } from '@/lib/http/body';
import { silenceGroup } from '@/lib/alerts';
import { otherMethods, route } from '@/lib/auth/route';
import { json } from '@/lib/http/respond';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

// A group and a time: anything larger is not a legitimate request.
const MAX_BODY = 16 * 1024;

/** Silences one group of a rule until `until` (support and admin, alerts.md). */
export const POST = route<{ rule_id: string }>('act', async ({ req, principal, scope, params }) => {
  const body = (await readBody(req, MAX_BODY)).toString('utf8');
  const actor = principal.kind === 'user' ? principal.email : principal.kind;
  return json(await silenceGroup({ ruleId: params.rule_id, body, scope, actor, now: Date.now() }));
});

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST');
