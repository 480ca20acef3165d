import { trace, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';

const tracer = () => trace.getTracer('sync-control-tower');

/**
 * The one way code opens a span. Names must be low-cardinality (`kpi.sync_lag`, `ingest.write`);
 * ids and sizes go in attributes. With no SDK registered this is the API's no-op tracer.
 */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    const started = performance.now();
    try {
      const result = await fn(span);
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      if (err instanceof Error) span.recordException(err);
      throw err;
    } finally {
      span.setAttribute('duration_ms', Math.round(performance.now() - started));
      span.end();
    }
  });
}
