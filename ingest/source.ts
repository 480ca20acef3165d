import fs from 'node:fs';
import path from 'node:path';

/** A run of whole lines from one input, with the 1-based number of its first line. */
export interface Chunk {
  file: string;
  firstLine: number;
  lines: number;
  bytes: Buffer;
}

const EXTENSIONS = /\.(ndjson|jsonl|json)$/i;

export function listInputs(target: string): string[] {
  if (target === '-') return ['-'];
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return [target];
  return fs
    .readdirSync(target)
    .filter((f) => EXTENSIONS.test(f))
    .sort()
    .map((f) => path.join(target, f));
}

/**
 * Streams an input as chunks of whole lines, holding at most one chunk (plus one read buffer) in
 * memory, so a file of any size loads with bounded memory.
 */
export async function* readChunks(file: string, maxLines: number, maxBytes: number): AsyncGenerator<Chunk> {
  const stream = file === '-' ? process.stdin : fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let parts: Buffer[] = [];
  let partBytes = 0;
  let carry: Buffer = Buffer.alloc(0);
  let lines = 0;
  let firstLine = 1;
  const emit = (): Chunk => {
    const chunk = { file, firstLine, lines, bytes: Buffer.concat(parts, partBytes) };
    firstLine += lines;
    parts = [];
    partBytes = 0;
    lines = 0;
    return chunk;
  };
  for await (const data of stream as AsyncIterable<Buffer>) {
    let buf = carry.length ? Buffer.concat([carry, data]) : data;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl === -1) break;
      const line = buf.subarray(start, nl + 1);
      parts.push(line);
      partBytes += line.length;
      lines++;
      start = nl + 1;
      if (lines >= maxLines || partBytes >= maxBytes) yield emit();
    }
    carry = Buffer.from(buf.subarray(start));
    buf = Buffer.alloc(0);
  }
  if (carry.length) {
    parts.push(carry);
    partBytes += carry.length;
    lines++;
  }
  if (lines > 0) yield emit();
}
