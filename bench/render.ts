/**
 * `npx tsx bench/render.ts`: re-renders bench/report.md from bench/report.json with the reasons now on
 * record (bench/reasons.ts), so the analysis of a run can be revised after it without re-running it. The
 * measurements and the PASS/MISS verdicts are recomputed from the stored figures, never edited.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REASONS_AS_OF } from './reasons';
import { markdown, type Report } from './report';
import { targetsOf } from './targets';

const dir = import.meta.dirname;
const stored = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as Report;
const { targets: _old, ...rest } = stored;
const report: Report = { ...rest, reasons_as_of: REASONS_AS_OF, targets: targetsOf({ ...rest, reasons_as_of: REASONS_AS_OF }) };
fs.writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
fs.writeFileSync(path.join(dir, 'report.md'), markdown(report));
console.error(`bench/report.md re-rendered (reasons as of ${REASONS_AS_OF})`);
