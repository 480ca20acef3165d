import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, inject, it } from 'vitest';

const base = inject('baseUrl');
const api = { authorization: `Bearer ${inject('apiToken')}` };

describe('OTLP into the running app', () => {
  it('spans from the official SDK show up in the sync-lag KPI and the drill-down', async () => {
    const start = Date.parse('2026-09-03T08:00:00Z');
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'mule-orders', 'ctl.warehouse_id': 'DC-OTLP-E2E' }),
      spanProcessors: [
        new SimpleSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${base}/v1/traces`, headers: { authorization: `Bearer ${inject('ingestToken')}` } }),
        }),
      ],
    });
    const tracer = provider.getTracer('e2e');
    const a = tracer.startSpan('order_api', { startTime: new Date(start), attributes: { 'ctl.correlation_id': 'SO-OTLP/E2E 1', 'peer.service': 'ERP' } });
    a.end(new Date(start + 12_500));
    const b = tracer.startSpan('shipment_api', { startTime: new Date(start + 60_000), attributes: { 'ctl.correlation_id': 'SO-OTLP/E2E 1', 'peer.service': 'TMS' } });
    b.setStatus({ code: SpanStatusCode.ERROR });
    b.end(new Date(start + 61_000));
    await provider.forceFlush();
    await provider.shutdown();

    const lag = (await (await fetch(`${base}/api/v1/kpi/sync-lag?from=2026-09-03&to=2026-09-04&warehouse=DC-OTLP-E2E`, { headers: api })).json()) as {
      total: { messages: number; delivered: number; failed: number; lag_seconds: { max: number } };
    };
    expect(lag.total).toMatchObject({ messages: 2, delivered: 1, failed: 1, lag_seconds: { max: 12.5 } });
    const drill = (await (await fetch(`${base}/api/v1/correlations?id=${encodeURIComponent('SO-OTLP/E2E 1')}`, { headers: api })).json()) as {
      events: { type: string; source_system: string; target_system: string; attributes: { status: string } }[];
    };
    expect(drill.events.map((e) => [e.type, e.source_system, e.target_system, e.attributes.status])).toEqual([
      ['sync.message', 'mule-orders', 'ERP', 'delivered'],
      ['sync.message', 'mule-orders', 'TMS', 'failed'],
    ]);
  });
});
