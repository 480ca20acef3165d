import { describe, expect, it } from 'vitest';
import { Scheduler, type Claim, type Lane } from '@/lib/store/scheduler';

/** Statements whose end the test decides: the scheduler's order, without an engine. */
function harness(promoteAfterMs = 0) {
  const s = new Scheduler({ promoteAfterMs });
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const submit = (tag: string, lane: Lane, session = 'read', bound = true) => {
    const claim: Claim = { lane, session, bound };
    return s.run(claim, () => {
      started.push(tag);
      return new Promise<void>((r) => finish.set(tag, r));
    });
  };
  const end = async (tag: string) => {
    await new Promise((r) => setImmediate(r));
    const f = finish.get(tag);
    if (!f) throw new Error(`${tag} has not started; started: ${started.join(', ')}`);
    f();
    // Let the completion run and the next statement start.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { s, started, submit, end };
}

describe('statement scheduler', () => {
  it('starts queued statements by lane, first come first served within a lane', async () => {
    const h = harness();
    void h.submit('slow', 'bulk');
    void h.submit('b1', 'bulk');
    void h.submit('i1', 'interactive');
    void h.submit('b2', 'bulk');
    void h.submit('i2', 'interactive');
    void h.submit('w1', 'write', 'write');
    await h.end('slow');
    for (const t of ['w1', 'i1', 'i2', 'b1']) await h.end(t);
    expect(h.started).toEqual(['slow', 'w1', 'i1', 'i2', 'b1', 'b2']);
  });

  it('a statement needing only free resources starts at once; one needing what a more urgent one waits for does not', async () => {
    const h = harness();
    void h.submit('read', 'bulk', 'read', true);
    void h.submit('i1', 'interactive', 'read', true);
    // Another session, no parameters: nothing it needs is busy or awaited.
    void h.submit('insert', 'write', 'write', false);
    // Another session but bound: the binder is awaited by i1, so it waits its turn.
    void h.submit('maint', 'bulk', 'maintenance', true);
    await new Promise((r) => setImmediate(r));
    expect(h.started).toEqual(['read', 'insert']);
    expect(h.s.depth).toEqual({ waiting: 2, running: 2 });
    await h.end('read');
    expect(h.started).toEqual(['read', 'insert', 'i1']);
  });

  it('promotes a statement that waited longer than the promotion age', async () => {
    const h = harness(5);
    void h.submit('slow', 'interactive');
    void h.submit('bulk', 'bulk');
    void h.submit('i1', 'interactive');
    await new Promise((r) => setTimeout(r, 30));
    await h.end('slow');
    expect(h.started).toEqual(['slow', 'bulk']);
  });

  it('a failing statement rejects its caller and frees its resources', async () => {
    const s = new Scheduler({ promoteAfterMs: 0 });
    await expect(s.run({ lane: 'interactive', session: 'read', bound: true }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(s.run({ lane: 'interactive', session: 'read', bound: true }, async () => 42)).resolves.toBe(42);
    expect(s.depth).toEqual({ waiting: 0, running: 0 });
  });
});
