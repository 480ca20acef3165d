import { describe, expect, it } from 'vitest';
import { crashScenario } from '../reliability/crash';
import { malformedScenario } from '../reliability/malformed';
import { mixedScenario } from '../reliability/mixed';
import type { ScenarioResult } from '../reliability/stats';

/**
 * The reduced reliability run for CI (the full one is `npm run test:reliability`). Each scenario starts
 * its own `next start` on its own port and data directory, reusing the build that global-setup made,
 * so the shared e2e server is never touched. Only correctness is asserted; latency is printed.
 */
function correctness(r: ScenarioResult): string[] {
  return r.checks.filter((c) => !c.timing && !c.ok).map((c) => `${c.name}: ${c.value} (expected ${c.target})`);
}

describe('reliability (reduced)', () => {
  it('SIGKILL to the process group during a load with resends, npm start again within 100 ms: serving within 30 s, every KPI equals a clean run, 0 lost, 0 duplicated', async () => {
    const r = await crashScenario({ scale: 0.25, kills: 1 });
    expect(correctness(r)).toEqual([]);
    expect(r.checks.find((c) => c.name === 'kills performed')?.ok).toBe(true);
  }, 300_000);

  it('a 20,000-line batch with 10 % bad lines stores exactly the good ones and reports every bad one', async () => {
    const r = await malformedScenario({ lines: 20_000 });
    expect(correctness(r)).toEqual([]);
  }, 180_000);

  it('60 s of dashboard users and 2,000 events/s: every request answered correctly, nothing lost or duplicated', async () => {
    const r = await mixedScenario({ seconds: 60 });
    expect(correctness(r)).toEqual([]);
  }, 300_000);
});
