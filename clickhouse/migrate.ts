import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { env } from '@/lib/config/env';
import { command, p, query, sql, unsafeRaw } from '@/lib/store';
import { renderMigration } from './render';

const MIGRATIONS_DIR = path.join(process.cwd(), 'clickhouse', 'migrations');
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface MigrationFile {
  version: number;
  name: string;
  text: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((f) => {
      const m = FILE.exec(f)!;
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      return {
        version: Number(m[1]),
        name: m[2]!,
        text,
        checksum: crypto.createHash('sha256').update(text).digest('hex'),
      };
    });
}

const appliedRow = z.object({ version: z.number(), name: z.string(), checksum: z.string() });

// Kept in one place so that the runner's own bookkeeping table follows the same cluster rules.
const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations{{local}} {{on_cluster}}
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = {{engine:ReplacingMergeTree}}
ORDER BY version;
-- @distributed schema_migrations rand()
`;

let running: Promise<number> | undefined;

/**
 * Applies every migration not yet recorded, in order. Safe to re-run and to call concurrently
 * within a process. Refuses to continue when an applied file was edited: migrations are immutable.
 */
export function migrate(): Promise<number> {
  running ??= run().finally(() => {
    running = undefined;
  });
  return running;
}

async function run(): Promise<number> {
  const cluster = env().CLICKHOUSE_CLUSTER;
  // Migration text is trusted repository content, not a runtime value.
  const exec = (stmt: string) => command(unsafeRaw(stmt));
  for (const stmt of renderMigration(LEDGER, { cluster })) await exec(stmt);
  const applied = await query(
    sql`SELECT version, any(name) AS name, any(checksum) AS checksum FROM schema_migrations GROUP BY version`,
    appliedRow,
    // Part of the write path: the write session's guards, not the read limits operators may tighten.
    { name: 'migrate.ledger', lane: 'write' },
  );
  const byVersion = new Map(applied.map((r) => [r.version, r]));
  let count = 0;
  for (const m of listMigrations()) {
    const done = byVersion.get(m.version);
    if (done) {
      if (done.checksum !== m.checksum) {
        throw new Error(`migration ${m.version}_${m.name} was edited after it was applied; add a new migration instead`);
      }
      continue;
    }
    for (const stmt of renderMigration(m.text, { cluster })) await exec(stmt);
    await command(
      sql`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (${p.u32(m.version)}, ${p.str(m.name)}, ${p.str(m.checksum)}, now64(3))`,
    );
    count++;
  }
  return count;
}
