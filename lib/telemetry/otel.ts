/**
 * Self-instrumentation export: only when OTEL_EXPORTER_OTLP_ENDPOINT is set does the SDK start (it
 * reads the standard OTEL_* variables); otherwise withSpan stays on the API's no-op tracer.
 */
export async function startTelemetry(): Promise<boolean> {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'sync-control-tower', instrumentations: [] });
  sdk.start();
  process.once('beforeExit', () => void sdk.shutdown());
  return true;
}
