import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { SpanStatusCode } from '@opentelemetry/api';
import { GET as lagGET } from '@/app/api/v1/kpi/sync-lag/route';
import { POST } from '@/app/v1/traces/route';
import { p, query, sql } from '@/lib/store';
import { z } from 'zod';
import { ctx, get, gzip, INGEST, post } from '../helpers/http';
import { serveRoutes } from '../helpers/serve';
import { useTestStore } from '../helpers/store';

useTestStore();
let server: Awaited<ReturnType<typeof serveRoutes>>;
beforeAll(async () => {
  server = await serveRoutes({ 'POST /v1/traces': POST });
});
afterAll(() => server.close());

const S = Date.parse('2026-10-20T10:00:00Z');

describe('POST /v1/traces (OTLP/HTTP JSON)', () => {
  it('spans sent by the official OpenTelemetry SDK become sync.message events in the KPI', async () => {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'mulesoft-orders', 'ctl.warehouse_id': 'DC-OTEL' }),
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${server.url}/v1/traces`, headers: { authorization: "Bearer test-ingest-token" } }) }),
      ],
    });
    const tracer = provider.getTracer('test');
    const ok = tracer.startSpan('order_api', { startTime: new Date(S), attributes: { 'ctl.correlation_id': 'SO-OTEL-1', 'peer.service': 'ERP', interface: 'order_api', 'retry.tags': ['a', 'b'] } });
    ok.end(new Date(S + 42_000));
    const bad = tracer.startSpan('shipment_api', { startTime: new Date(S + 1000), attributes: { 'ctl.correlation_id': 'SO-OTEL-1', 'server.address': 'tms.internal' } });
    bad.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    bad.end(new Date(S + 5000));
    await provider.forceFlush();
    await provider.shutdown();

    const res = await lagGET(get('/api/v1/kpi/sync-lag?from=2026-10-20&to=2026-10-21&warehouse=DC-OTEL'), ctx());
    const body = (await res.json()) as { total: { messages: number; delivered: number; failed: number; lag_seconds: { max: number } } };
    expect(body.total).toMatchObject({ messages: 2, delivered: 1, failed: 1, lag_seconds: { max: 42 } });
    const rows = await query(
      sql`SELECT toString(source_system) AS s, toString(target_system) AS t, attributes FROM events WHERE correlation_id = ${p.str('SO-OTEL-1')} ORDER BY occurred_at`,
      z.object({ s: z.string(), t: z.string(), attributes: z.string() }),
      { name: 'test.otel' },
    );
    expect(rows.map((r) => [r.s, r.t])).toEqual([['mulesoft-orders', 'ERP'], ['mulesoft-orders', 'tms.internal']]);
    expect(JSON.parse(rows[0]!.attributes)).toMatchObject({ status: 'delivered', interface: 'order_api', 'retry.tags': '["a","b"]' });
  });

  const span = (over: Record<string, unknown>, attrs: { key: string; value: Record<string, unknown> }[]) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name: 'x',
    startTimeUnixNano: String(BigInt(S) * 1_000_000n),
    endTimeUnixNano: String(BigInt(S + 1500) * 1_000_000n + 999_999n),
    attributes: attrs,
    ...over,
  });
  const request = (spans: unknown[]) => ({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'edi-gw' } }] }, scopeSpans: [{ spans }] }],
  });
  const send = async (body: string | Buffer, headers: Record<string, string> = {}) => {
    const res = await POST(post('/v1/traces', body, { ...INGEST, 'content-type': 'application/json', ...headers }), ctx());
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('partial success: spans without a correlation or warehouse are rejected and counted', async () => {
    const wh = { key: 'ctl.warehouse_id', value: { stringValue: 'DC-P' } };
    const body = request([
      span({ spanId: '0000000000000001' }, [wh, { key: 'messaging.message.conversation_id', value: { stringValue: 'CONV-1' } }]),
      span({ spanId: '0000000000000002' }, [wh]),
      span({ spanId: '0000000000000003' }, [{ key: 'ctl.correlation_id', value: { stringValue: 'C-3' } }]),
    ]);
    const r = await send(JSON.stringify(body));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ partialSuccess: { rejectedSpans: 2 } });
    expect(String((r.body.partialSuccess as { errorMessage: string }).errorMessage)).toMatch(/correlation_id|warehouse_id/);
    // Re-sending the same spans: the stored one is a duplicate, not a rejection.
    const again = await send(gzip(JSON.stringify(body)), { 'content-encoding': 'gzip' });
    expect(again.body).toMatchObject({ partialSuccess: { rejectedSpans: 2 } });
    const stored = await query(sql`SELECT event_id, toString(target_system) AS t, observed_at FROM events WHERE correlation_id = 'CONV-1'`, z.object({ event_id: z.string(), t: z.string(), observed_at: z.string() }), { name: 'test.conv' });
    expect(stored).toEqual([{ event_id: '5b8efff798038103d269b633813fc60c:0000000000000001', t: 'unknown', observed_at: '2026-10-20 10:00:01.500' }]);
  });

  it('an undecodable body is 400; a body over the limit after decompression is 413; no token is 401', async () => {
    expect((await send('{nope')).status).toBe(400);
    expect((await send(JSON.stringify({ resourceSpans: 'x' }))).status).toBe(400);
    process.env.CT_MAX_BODY_BYTES = '4096';
    try {
      const big = JSON.stringify(request(Array.from({ length: 200 }, (_, i) => span({ spanId: i.toString(16).padStart(16, '0') }, []))));
      const gz = gzip(big);
      expect(gz.length).toBeLessThan(4096);
      expect((await send(gz, { 'content-encoding': 'gzip' })).status).toBe(413);
    } finally {
      delete process.env.CT_MAX_BODY_BYTES;
    }
    expect((await POST(post('/v1/traces', '{}', { 'content-type': 'application/json' }), ctx())).status).toBe(401);
  });
});
