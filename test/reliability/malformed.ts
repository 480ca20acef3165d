import zlib from 'node:zlib';
import { get, isSummary, post } from './client';
import { inspectStore } from './data';
import { TestServer } from './server';
import { Recorder, ms, type ScenarioResult } from './stats';

/** The bad-line kinds of the issue, each with what its reason must say. */
const KINDS = {
  invalid_utf8: /UTF-8/,
  number_as_string: /attributes\.(amount|quantity)/,
  control_escaped: /correlation_id/,
  control_raw: /not valid JSON/,
  nested_attribute: /attributes\.deep/,
  nested_array: /object/i,
  long_line: /longer than/,
} as const;
type Kind = keyof typeof KINDS;
const CYCLE: Kind[] = ['invalid_utf8', 'number_as_string', 'control_escaped', 'control_raw', 'nested_attribute', 'nested_array'];

const good = (id: string, corr: string) =>
  `{"event_id":"${id}","type":"order.created","occurred_at":"2026-05-01T10:00:00Z","source_system":"ERP","warehouse_id":"W1","correlation_id":"${corr}"}`;

function badLine(kind: Kind, n: number, prefix: string): Buffer {
  const base = good(`${prefix}-b${n}`, `${prefix}-c${n}`);
  switch (kind) {
    case 'invalid_utf8':
      return Buffer.concat([Buffer.from(base.slice(0, 20)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(base.slice(20))]);
    case 'number_as_string':
      return Buffer.from(base.replace(/}$/, `,"attributes":{"${n % 2 ? 'amount' : 'quantity'}":"12.50"}}`));
    case 'control_escaped':
      return Buffer.from(base.replace(`"${prefix}-c${n}"`, `"${prefix}-c\\u0001${n}"`));
    case 'control_raw':
      return Buffer.from(base.replace(`"${prefix}-c${n}"`, `"${prefix}-c\u0001${n}"`));
    case 'nested_attribute': {
      const depth = n % 10_000 === 0 ? 10_000 : 64;
      return Buffer.from(base.replace(/}$/, `,"attributes":{"deep":${'['.repeat(depth)}1${']'.repeat(depth)}}}`));
    }
    case 'nested_array': {
      const depth = n % 10_000 === 0 ? 10_000 : 64;
      return Buffer.from(`${'['.repeat(depth)}${base}${']'.repeat(depth)}`);
    }
    case 'long_line':
      return Buffer.from(base.replace(/}$/, `,"attributes":{"note":"${'x'.repeat(2 * 1024 * 1024)}"}}`));
  }
}

export interface MalformedBatch {
  body: Buffer;
  good: number;
  /** line → kind, for every bad line. */
  bad: Map<number, Kind>;
}

/** `lines` lines with CRLF ends and a BOM; every 10th line bad, one of them 2 MB long. */
export function malformedBatch(lines: number, prefix: string): MalformedBatch {
  const parts: Buffer[] = [Buffer.from([0xef, 0xbb, 0xbf])];
  const bad = new Map<number, Kind>();
  let goodCount = 0;
  const longAt = Math.floor(lines / 20) * 10;
  for (let i = 1; i <= lines; i++) {
    if (i % 10 === 0) {
      const kind: Kind = i === longAt ? 'long_line' : CYCLE[(i / 10) % CYCLE.length]!;
      bad.set(i, kind);
      parts.push(badLine(kind, i, prefix));
    } else {
      goodCount++;
      parts.push(Buffer.from(good(`${prefix}-g${i}`, `${prefix}-c${i}`)));
    }
    parts.push(Buffer.from('\r\n'));
  }
  return { body: Buffer.concat(parts), good: goodCount, bad };
}

export async function malformedScenario(opts: { lines: number; say?: (s: string) => void }): Promise<ScenarioResult> {
  const rec = new Recorder(`Malformed input at scale: a ${opts.lines.toLocaleString('en')}-line batch, 10 % bad`, opts.say);
  const batch = malformedBatch(opts.lines, 'mf');
  // A 100k-line batch with a 2 MiB line and 10k bad lines does not fit the default 16 MiB limit.
  const limit = Math.max(16 * 1048576, 2 ** Math.ceil(Math.log2(batch.body.length)));
  // Every bad line is checked below, so this server keeps them all (the default keeps the first 1,000).
  const server = await TestServer.start({ env: { CT_MAX_BODY_BYTES: String(limit), CT_MAX_REJECTED_PER_BATCH: String(opts.lines) } });
  try {
    if (limit > 16 * 1048576) rec.note(`this server runs with CT_MAX_BODY_BYTES=${limit / 1048576} MiB`);
    rec.note(`this server runs with CT_MAX_REJECTED_PER_BATCH=${opts.lines}, so that every bad line is listed and kept`);
    rec.note(`body ${(batch.body.length / 1048576).toFixed(1)} MiB, CRLF line ends and a BOM, ${batch.good} good lines, ${batch.bad.size} bad (${[...new Set(batch.bad.values())].join(', ')})`);
    const rssBefore = server.rssMiB();
    const a = await post(server.url, batch.body);
    rec.check('status of the batch', a.status === 207, `${a.status}${isSummary(a.body) ? '' : ` ${a.text.slice(0, 200)}`}`, '207');
    const r = isSummary(a.body) ? a.body : { accepted: 0, rejected: 0, duplicates: 0, errors: [] };
    rec.check('good lines stored', r.accepted === batch.good, r.accepted, String(batch.good));
    rec.check('bad lines reported', r.rejected === batch.bad.size && r.errors.length === batch.bad.size, `${r.rejected} (${r.errors.length} errors listed)`, String(batch.bad.size));
    const wrong = r.errors.filter((e) => {
      const kind = batch.bad.get(e.line);
      return !kind || !KINDS[kind].test(e.reason);
    });
    const allRight = wrong.length === 0 && r.errors.length === batch.bad.size;
    rec.check('every bad line reported with its line and a reason of its kind', allRight, allRight ? 'all' : `${wrong.length} wrong${wrong[0] ? `, e.g. line ${wrong[0].line}: ${wrong[0].reason}` : ''}`, 'all');
    const sample = new Map<Kind, string>();
    for (const e of r.errors) {
      const k = batch.bad.get(e.line);
      if (k && !sample.has(k)) sample.set(k, `line ${e.line}: ${e.reason}`);
    }
    for (const [k, v] of sample) rec.note(`${k} → ${v.slice(0, 120)}`);
    rec.note(`ack ${ms(a.ms)}; server RSS ${rssBefore.toFixed(0)} → ${server.rssMiB().toFixed(0)} MiB, peak ${server.peakMiB().toFixed(0)} MiB`);

    // Under the default limit but over the 10 MB a Next.js proxy passes on by default.
    const big = Buffer.from(Array.from({ length: 80_000 }, (_, i) => good(`mf-big-${i}`, `mf-big-c${i % 100}`)).join('\n'));
    const whole = await post(server.url, big);
    const wholeOk = whole.status === 200 && isSummary(whole.body) && whole.body.accepted === 80_000;
    rec.check(`a ${(big.length / 1048576).toFixed(1)} MiB valid body arrives whole`, wholeOk, `${whole.status} ${whole.text.slice(0, 120)}`, '200, 80000 accepted');

    const small = Buffer.from(`\ufeff${good('mf-crlf-1', 'mf-crlf')}\r\n${good('mf-crlf-2', 'mf-crlf')}\r\n\r\n`);
    const crlf = await post(server.url, small);
    rec.check('BOM + CRLF + blank line body', crlf.status === 200 && isSummary(crlf.body) && crlf.body.accepted === 2, `${crlf.status} ${crlf.text.slice(0, 80)}`, '200, 2 accepted');

    const gz = zlib.gzipSync(Buffer.from(Array.from({ length: 500 }, (_, i) => good(`mf-gz-${i}`, 'mf-gz-corr')).join('\n')));
    const cut = await post(server.url, gz.subarray(0, Math.floor(gz.length * 0.6)), { headers: { 'content-encoding': 'gzip' } });
    const afterCut = await get(server.url, `/api/v1/correlations/mf-gz-corr`);
    rec.check('truncated gzip', cut.status === 400 && afterCut.status === 404, `${cut.status} (${(cut.body as { error?: { message?: string } })?.error?.message ?? ''}); stored: ${afterCut.status === 404 ? 'nothing' : 'something'}`, '400, nothing stored');

    const deepArray = `[${good('mf-arr-1', 'mf-arr')},${'['.repeat(100_000)}${']'.repeat(100_000)}]`;
    const arr = await post(server.url, deepArray, { contentType: 'application/json' });
    rec.check('JSON array body with a 100,000-deep element', arr.status === 207 && isSummary(arr.body) && arr.body.accepted === 1, `${arr.status} ${arr.text.slice(0, 100)}`, '207, 1 accepted');

    await server.stop();
    const counts = inspectStore(server.dataDir);
    const expectRows = r.accepted + 2 + 1 + (wholeOk ? 80_000 : 0);
    rec.check('events in the store (accepted, nothing else)', counts.rows === expectRows && counts.distinct === expectRows, `${counts.rows} rows`, `${expectRows}`);
    rec.check('rejected lines kept for support', counts.rejected === r.rejected + 1, counts.rejected, `${r.rejected + 1}`);
  } finally {
    await server.dispose();
  }
  return rec.result();
}
