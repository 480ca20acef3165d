/**
 * Self-instrumentation export: only when OTEL_EXPORTER_OTLP_ENDPOINT is set does the SDK start (it
 * reads the standard OTEL_* variables); otherwise withSpan stays on the API's no-op tracer.
 * Returns a function that flushes and stops the export, or null when nothing was started.
 * The OTEL_* variables are the SDK's standard ones, so they are read here and not in lib/config/env.ts.
 */
export async function startTelemetry(): Promise<(() => Promise<void>) | null> {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'sync-control-tower', instrumentations: [] });
  sdk.start();
  const stop = () => sdk.shutdown();
  process.once('beforeExit', () => void stop());
  return stop;
}
