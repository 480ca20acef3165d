// Every test process gets known machine tokens; stores are per test file (see helpers/store.ts).
process.env.CT_INGEST_TOKEN = 'test-ingest-token';
process.env.CT_API_TOKEN = 'test-api-token';
process.env.CT_DEMO = '0';
delete process.env.CLICKHOUSE_URL;
delete process.env.CLICKHOUSE_CLUSTER;
export {};
