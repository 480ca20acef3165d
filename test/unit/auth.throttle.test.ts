import { describe, expect, it } from 'vitest';
import { clearFailures, MAX_FAILURES, recordFailure, throttleState, WINDOW_MS } from '@/lib/auth/throttle';

describe('sign-in throttle', () => {
  it('limits after 10 failures within 15 minutes and frees the account as failures age out', () => {
    const t0 = 1_000_000_000_000;
    for (let i = 0; i < MAX_FAILURES - 1; i++) recordFailure('a@x.io', t0 + i * 1000);
    expect(throttleState('A@x.io', t0 + 10_000).limited).toBe(false);
    recordFailure('a@x.io', t0 + 9000);
    const s = throttleState('a@x.io', t0 + 10_000);
    expect(s).toEqual({ limited: true, retryAfterS: Math.ceil((t0 + WINDOW_MS - (t0 + 10_000)) / 1000) });
    expect(throttleState('b@x.io', t0 + 10_000).limited).toBe(false);
    // The first failure leaves the window: one more attempt is allowed.
    expect(throttleState('a@x.io', t0 + WINDOW_MS + 1).limited).toBe(false);
  });
  it('forgets an account after a successful sign-in', () => {
    for (let i = 0; i < MAX_FAILURES; i++) recordFailure('c@x.io');
    expect(throttleState('c@x.io').limited).toBe(true);
    clearFailures('c@x.io');
    expect(throttleState('c@x.io').limited).toBe(false);
  });
});
