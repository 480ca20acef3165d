import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataDir, env } from '@/lib/config/env';

export const INGEST_TOKEN_FILE = 'ingest-token';

function sha(s: string): Buffer {
  return crypto.createHash('sha256').update(s).digest();
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
export function tokenEquals(given: string, expected: string | undefined): boolean {
  if (!expected) return false;
  return crypto.timingSafeEqual(sha(given), sha(expected));
}

/** CT_INGEST_TOKEN, else (demo start only) the token the start script generated into the data directory. */
export function ingestToken(): string | undefined {
  const e = env();
  if (e.CT_INGEST_TOKEN) return e.CT_INGEST_TOKEN;
  if (!e.CT_DEMO) return undefined;
  try {
    const t = fs.readFileSync(path.join(dataDir(), INGEST_TOKEN_FILE), 'utf8').trim();
    return t || undefined;
  } catch {
    return undefined; // no demo token generated: the ingest path stays closed
  }
}

export function apiToken(): string | undefined {
  return env().CT_API_TOKEN;
}
