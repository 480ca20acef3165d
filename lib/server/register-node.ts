import { startTelemetry } from '@/lib/telemetry/otel';
import { retryStartupUntilReady, startup, waitsForStore } from './startup';

/** Node-only half of instrumentation: a failed startup (bad config, store unusable) stops the server. */
export async function registerNode(): Promise<void> {
  // NEXT_PHASE is Next.js's own variable, not a setting (see lib/config/env.ts).
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  try {
    if (await startTelemetry()) console.log('[tower] exporting its own traces over OTLP');
    await startup();
  } catch (err) {
    if (waitsForStore(err)) {
      console.error('[tower] the event store is unavailable; serving 503 with Retry-After and retrying every 5 s');
      retryStartupUntilReady();
      return;
    }
    console.error(`[tower] startup failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
