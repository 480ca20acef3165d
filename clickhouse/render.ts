/**
 * Renders a migration file for one deployment shape. Single node: plain MergeTree-family tables.
 * Cluster (`CLICKHOUSE_CLUSTER`): `ON CLUSTER` DDL, Replicated* engines on `<name>_local` tables,
 * and a `Distributed` table under the plain name, so queries and inserts read the same either way.
 */
export interface RenderOptions {
  cluster?: string;
}

const ENGINE = /\{\{engine:([A-Za-z]+)(?:\(([^)]*)\))?\}\}/g;
const CREATE = /CREATE\s+(?:TABLE|MATERIALIZED VIEW)\s+IF\s+NOT\s+EXISTS\s+(?:\{\{db\}\})?([A-Za-z_][A-Za-z0-9_]*)/i;
const DISTRIBUTED = /^--\s*@distributed\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/;

export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    current.push(line);
    if (/;\s*$/.test(line)) {
      out.push(current.join('\n').trim().replace(/;\s*$/, ''));
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest && !rest.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('--'))) out.push(rest);
  return out;
}

function renderStatement(stmt: string, opts: RenderOptions): string {
  const cluster = opts.cluster;
  const table = CREATE.exec(stmt)?.[1] ?? 'unknown';
  return stmt
    .replaceAll('{{db}}', '')
    .replaceAll('{{local}}', cluster ? '_local' : '')
    .replaceAll('{{on_cluster}}', cluster ? `ON CLUSTER ${cluster}` : '')
    .replace(ENGINE, (_m, engine: string, args: string | undefined) => {
      const extra = args?.trim() ? args.trim() : '';
      if (!cluster) return `${engine}${extra ? `(${extra})` : ''}`;
      const zk = `'/clickhouse/tables/{shard}/{database}/${table}_local', '{replica}'`;
      return `Replicated${engine}(${zk}${extra ? `, ${extra}` : ''})`;
    })
    .split('\n')
    // Full-line comments are documentation for readers of the file, not for the engine.
    .filter((l) => !l.trim().startsWith('--'))
    .join('\n')
    .replace(/[ \t]+\n/g, '\n')
    .trim();
}

/** Returns the statements to run, in order, for one migration file. */
export function renderMigration(text: string, opts: RenderOptions = {}): string[] {
  // `-- @distributed <table> <sharding key>` anywhere in the file gives that table a Distributed twin.
  const twins = new Map<string, string>();
  for (const line of text.split('\n')) {
    const d = DISTRIBUTED.exec(line.trim());
    if (d) twins.set(d[1]!, d[2]!.trim());
  }
  const result: string[] = [];
  for (const stmt of splitStatements(text)) {
    const body = renderStatement(stmt, opts);
    if (body) result.push(body);
    const table = /^CREATE\s+TABLE/i.test(body) ? CREATE.exec(stmt)?.[1] : undefined;
    const key = table ? twins.get(table) : undefined;
    if (opts.cluster && table && key) {
      result.push(
        `CREATE TABLE IF NOT EXISTS ${table} ON CLUSTER ${opts.cluster} AS ${table}_local\n` +
          `ENGINE = Distributed(${opts.cluster}, currentDatabase(), ${table}_local, ${key})`,
      );
    }
  }
  return result;
}
