import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Only signed-in triage may speak as the tower (README "Ingest limits and the tower's own voice"): the
 * pipeline's `origin: 'triage'` is passed by lib/triage/actions.ts and by no transport or other module.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCES = ['app', 'ingest', 'lib', 'components', 'scripts', 'bench'];

function* files(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (/\.(ts|tsx|mjs)$/.test(e.name)) yield p;
  }
}

describe("origin 'triage'", () => {
  it('is set only by lib/triage/actions.ts', () => {
    const setters: string[] = [];
    for (const top of SOURCES) {
      const dir = path.join(ROOT, top);
      if (!fs.existsSync(dir)) continue;
      for (const f of files(dir)) if (/origin:\s*'triage'/.test(fs.readFileSync(f, 'utf8'))) setters.push(path.relative(ROOT, f));
    }
    expect(setters).toEqual(['lib/triage/actions.ts']);
  });
});
