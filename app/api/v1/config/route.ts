import { otherMethods, route } from '@/lib/auth/route';
import { configResponse, loadConfig } from '@/lib/config/slo';
import { json } from '@/lib/http/respond';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Extension: the configured SLOs and summary thresholds (CT_CONFIG_FILE, else metrics.md defaults). */
export const GET = route('read', async () => json(configResponse.parse(loadConfig())));

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET');
