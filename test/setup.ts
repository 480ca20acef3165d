// Every test process gets known machine tokens; stores are per test file (see helpers/store.ts).
process.env.CT_INGEST_TOKEN = 'test-ingest-token';
process.env.CT_API_TOKEN = 'test-api-token';
process.env.CT_DEMO = '0';
// Tests read right after writing through lib functions (not the ingest route): no shared answers,
// except in test/integration/shared-reads.test.ts, which turns them on.
process.env.CT_READ_MAX_AGE_S = '0';
delete process.env.CLICKHOUSE_URL;
delete process.env.CLICKHOUSE_CLUSTER;
export {};
