/**
 * Child process for the raw-engine baselines (the embedded engine allows one data directory per
 * process, and a server or CLI may own another). CT_DATA_DIR selects the store.
 *
 *   tsx bench/raw-worker.ts load <events.ndjson> <result.json>   engine's own load of the NDJSON
 *   tsx bench/raw-worker.ts kpi <probes.json> <result.json>      plain SQL per KPI on `events`
 */
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from '@/clickhouse/migrate';
import { closeStore, getClient, render, unsafeRaw, type Sql } from '@/lib/store';
import { buildProbes, CALLS_WARM } from './kpis';
import { rawPlan } from './raw-sql';
import { percentile, sleep } from './stats';

const BUSINESS = [
  'order.created', 'pick.confirmed', 'shipment.confirmed', 'invoice.posted', 'payment.received', 'return.received',
  'credit.issued', 'receipt.posted', 'transfer.shipped', 'transfer.received', 'inventory.adjusted',
];
const EXCEPTION = ['exception.opened', 'exception.acknowledged', 'exception.assigned', 'exception.resolved'];

// Field names of events.md as the file's own schema; attributes arrive as their JSON text.
const FILE_SCHEMA = [
  'event_id String', 'type String', 'occurred_at String', 'observed_at Nullable(String)', 'source_system String',
  'target_system Nullable(String)', 'warehouse_id String', 'correlation_id String', 'workflow Nullable(String)',
  'document_ref Nullable(String)', 'attributes Nullable(String)',
].join(', ');

async function rows(q: Sql): Promise<Record<string, unknown>[]> {
  const { query, query_params } = render(q);
  const rs = await getClient().query({ query, query_params, format: 'JSONEachRow' });
  return rs.json<Record<string, unknown>>();
}

async function text(statement: string): Promise<Record<string, unknown>[]> {
  return rows(unsafeRaw(statement));
}

async function engineVersion(): Promise<string> {
  return String((await text('SELECT version() AS v'))[0]?.v ?? 'unknown');
}

async function load(file: string) {
  await migrate();
  const abs = path.resolve(file);
  if (/['\\]/.test(abs)) throw new Error(`unsupported characters in path ${abs}`);
  const list = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');
  // Our own bench table (not in the migrations): the same columns and indexes as `events`, plain MergeTree.
  await getClient().command({ query: 'DROP TABLE IF EXISTS events_raw_bench' });
  await getClient().command({
    query: `CREATE TABLE events_raw_bench AS events ENGINE = MergeTree PARTITION BY toYYYYMM(occurred_at)
            ORDER BY (warehouse_id, type, occurred_at, event_id) SETTINGS index_granularity = 8192`,
  });
  const a = `ifNull(attributes, '{}')`;
  const biz = `type IN (${list(BUSINESS)})`;
  const exc = `type IN (${list(EXCEPTION)})`;
  const snap = `type = 'inventory.snapshot'`;
  // The path is the bench's own file under bench/out (checked above), not outside input.
  const insert = `
    INSERT INTO events_raw_bench (event_id, type, occurred_at, observed_at, ingested_at, source_system, target_system,
      warehouse_id, correlation_id, workflow, document_ref, attributes, status, interface, exception_id, category,
      severity, owner, amount, currency, sku, quantity, unit_cost)
    SELECT event_id, type,
      parseDateTime64BestEffort(occurred_at, 3, 'UTC'),
      ifNull(parseDateTime64BestEffortOrNull(observed_at, 3, 'UTC'), now64(3)),
      now64(3),
      source_system, ifNull(target_system, ''), warehouse_id, correlation_id, ifNull(workflow, 'other'), document_ref,
      ${a},
      if(type = 'sync.message', JSONExtractString(${a}, 'status'), ''),
      if(type = 'sync.message', JSONExtract(${a}, 'interface', 'Nullable(String)'), NULL),
      if(${exc}, JSONExtractString(${a}, 'exception_id'), ''),
      if(type = 'exception.opened', JSONExtractString(${a}, 'category'), ''),
      if(type = 'exception.opened', JSONExtractString(${a}, 'severity'), ''),
      if(${exc}, JSONExtract(${a}, 'owner', 'Nullable(String)'), NULL),
      if(${biz}, JSONExtract(${a}, 'amount', 'Nullable(Decimal(38, 6))'), NULL),
      if(${biz}, if(JSONHas(${a}, 'currency'), JSONExtractString(${a}, 'currency'), 'USD'), ''),
      if(${biz} OR ${snap}, JSONExtractString(${a}, 'sku'), ''),
      if(${biz} OR ${snap}, JSONExtract(${a}, 'quantity', 'Nullable(Decimal(38, 6))'), NULL),
      if(${snap}, JSONExtract(${a}, 'unit_cost', 'Nullable(Decimal(38, 6))'), NULL)
    FROM file('${abs}', 'JSONEachRow', '${FILE_SCHEMA}')`;
  const t0 = performance.now();
  await getClient().command({
    query: insert,
    // This process is the bench's own: lifting the dashboard guards here leaks into no one's session.
    clickhouse_settings: { max_execution_time: 0, max_memory_usage: '0', input_format_json_read_objects_as_strings: 1 },
  });
  const seconds = (performance.now() - t0) / 1000;
  const loaded = Number((await text('SELECT count() AS n FROM events_raw_bench'))[0]?.n ?? 0);
  return { seconds, rows: loaded, version: await engineVersion() };
}

/** Background merges left over from the load would be timed with the queries: let them finish. */
async function settle(): Promise<number> {
  const t0 = Date.now();
  let quiet = 0;
  while (quiet < 3 && Date.now() - t0 < 180_000) {
    const n = Number((await text('SELECT count() AS n FROM system.merges'))[0]?.n ?? 0);
    quiet = n === 0 ? quiet + 1 : 0;
    await sleep(1000);
  }
  return (Date.now() - t0) / 1000;
}

async function kpis(probesFile: string) {
  const spec = JSON.parse(fs.readFileSync(probesFile, 'utf8')) as { endMs: number; correlationId: string };
  const settleSeconds = await settle();
  const parts = Number((await text(`SELECT count() AS n FROM system.parts WHERE active AND table = 'events'`))[0]?.n ?? 0);
  const stored = Number((await text('SELECT count() AS n FROM events'))[0]?.n ?? 0);
  const results: Record<string, unknown>[] = [];
  for (const probe of buildProbes(spec.endMs, spec.correlationId)) {
    const plan = rawPlan(probe);
    const times: number[] = [];
    let last: Record<string, unknown>[][] = [];
    let error: string | null = null;
    for (let i = 0; i <= CALLS_WARM && error === null; i++) {
      const t0 = performance.now();
      try {
        const out: Record<string, unknown>[][] = [];
        for (const s of plan.stmts) out.push(await rows(s));
        last = out;
      } catch (err) {
        error = err instanceof Error ? err.message.slice(0, 300) : String(err);
      }
      times.push(performance.now() - t0);
    }
    const warm = times.slice(1);
    results.push({
      key: probe.key,
      statements: plan.stmts.length,
      cold_ms: times[0] ?? null,
      p50_ms: error ? null : percentile(warm, 0.5),
      p95_ms: error ? null : percentile(warm, 0.95),
      figure: error ? null : plan.figure(last),
      error,
    });
    process.stderr.write(`  raw ${probe.key}: p50 ${percentile(warm, 0.5)?.toFixed(1)} ms\n`);
  }
  return { settle_seconds: settleSeconds, parts, stored, version: await engineVersion(), probes: results };
}

async function main() {
  const [mode, input, out] = process.argv.slice(2);
  if (!mode || !input || !out) throw new Error('usage: raw-worker.ts load|kpi <input> <result.json>');
  const result = mode === 'load' ? await load(input) : mode === 'kpi' ? await kpis(input) : null;
  if (!result) throw new Error(`unknown mode ${mode}`);
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  await closeStore();
}

main().catch(async (err: unknown) => {
  console.error(`raw worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await closeStore().catch(() => undefined);
  process.exit(1);
});
