import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ingestLines } from '@/ingest/pipeline';
import { startTelemetry } from '@/lib/telemetry/otel';
import { syncMessage } from '../helpers/fixtures';
import { useTestStore } from '../helpers/store';

useTestStore();

describe('the tower traces itself', () => {
  it('exports low-cardinality spans for ingest steps and queries when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const bodies: string[] = [];
    const receiver = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        bodies.push(b);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
    const stop = await startTelemetry();
    expect(stop).not.toBeNull();
    await ingestLines([{ line: 1, raw: '', value: syncMessage({ correlation_id: 'TRACE-ME-123' }) }], Date.now());
    await stop!();
    receiver.close();
    const all = bodies.join('\n');
    for (const name of ['ingest.validate', 'ingest.normalize', 'ingest.dedup', 'ingest.write', 'db.ingest.seen_ids']) expect(all).toContain(`"${name}"`);
    // Ids never become span names (they would explode cardinality).
    expect(all).not.toContain('TRACE-ME-123');
    for (const k of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_TRACES_EXPORTER', 'OTEL_METRICS_EXPORTER', 'OTEL_LOGS_EXPORTER']) delete process.env[k];
  });
});
