import { describe, expect, it } from 'vitest';
import { listMigrations } from '@/clickhouse/migrate';
import { renderMigration, splitStatements } from '@/clickhouse/render';

const all = listMigrations();

describe('migration rendering', () => {
  it('numbers migrations uniquely and in order', () => {
    const versions = all.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions[0]).toBe(1);
  });

  it('single node: plain engines, no templating left, no cluster DDL', () => {
    for (const m of all) {
      for (const stmt of renderMigration(m.text)) {
        expect(stmt).not.toMatch(/\{\{|\}\}/);
        expect(stmt).not.toMatch(/ON CLUSTER|Replicated|Distributed|_local\b/);
      }
    }
    const events = renderMigration(all[0]!.text).join('\n');
    expect(events).toMatch(/CREATE TABLE IF NOT EXISTS events\s*\(/);
    expect(events).toContain('ENGINE = ReplacingMergeTree');
    expect(events).toContain("DateTime64(3, 'UTC')");
  });

  it('cluster: ON CLUSTER, Replicated engines on _local tables, Distributed twins', () => {
    const stmts = all.flatMap((m) => renderMigration(m.text, { cluster: 'tower' }));
    const creates = stmts.filter((s) => /^CREATE TABLE/.test(s));
    for (const s of stmts.filter((x) => x.startsWith('CREATE'))) {
      expect(s).toContain('ON CLUSTER tower');
      expect(s).not.toMatch(/\{\{|\}\}/);
    }
    const local = creates.filter((s) => /CREATE TABLE IF NOT EXISTS \w+_local/.test(s));
    expect(local.length).toBeGreaterThanOrEqual(5);
    for (const s of local) {
      expect(s).toMatch(/ENGINE = Replicated\w*MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\w+_local', '\{replica\}'/);
    }
    for (const name of ['events', 'event_ids', 'correlation_index', 'warehouse_activity', 'rejected_events', 'ingest_stats']) {
      const dist = creates.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${name} ON CLUSTER tower AS ${name}_local`));
      expect(dist, name).toBeDefined();
      expect(dist).toMatch(new RegExp(`ENGINE = Distributed\\(tower, currentDatabase\\(\\), ${name}_local, .+\\)`));
    }
    const mv = stmts.find((s) => s.startsWith('CREATE MATERIALIZED VIEW IF NOT EXISTS event_ids_mv_local'));
    expect(mv).toContain('TO event_ids_local');
    expect(mv).toContain('FROM events_local');
  });

  it('splits statements on trailing semicolons only', () => {
    expect(splitStatements("SELECT 'a;b' AS x;\nSELECT 2;\n-- trailing comment\n")).toEqual(["SELECT 'a;b' AS x", 'SELECT 2']);
  });
});
