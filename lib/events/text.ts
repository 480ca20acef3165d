import { z } from 'zod';

// Unicode category Cc: C0 controls, DEL and C1 controls.
const CONTROL_CHAR = /[\u0000-\u001F\u007F-\u009F]/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one. Such strings
// cannot be encoded as UTF-8, so ClickHouse and every JSON consumer downstream would mangle them.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Lengths in events.md count code points, so an emoji is one character, not two UTF-16 units. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Count a surrogate pair once; a lone surrogate still counts as one.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export function truncateCodePoints(s: string, max: number): string {
  // UTF-16 length bounds the code-point count from above: short strings need no walk.
  if (s.length <= max) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n === max) break;
    out += ch;
    n++;
  }
  return out;
}

/** Why `s` is not acceptable text, or null when it is. */
export function textProblem(s: string): string | null {
  if (CONTROL_CHAR.test(s)) return 'must not contain control characters';
  if (LONE_SURROGATE.test(s)) return 'must not contain unpaired surrogates';
  return null;
}

/** Error map shared by every schema: a missing value reads "required", anything else the given text. */
export const requiredOr =
  (message: string) =>
  (iss: { input?: unknown }): string =>
    iss.input === undefined ? 'required' : message;

/** Any string field of the model: well-formed, and `min`–`max` code points when bounds are given. */
export function textSchema(bounds: { min?: number; max?: number } = {}) {
  const { min = 0, max = Infinity } = bounds;
  return z.string({ error: requiredOr('must be a string') }).superRefine((s, ctx) => {
    const problem = textProblem(s);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem, input: s });
      return;
    }
    if (min > 0 && codePointLength(s) < min) {
      ctx.addIssue({ code: 'custom', message: min === 1 ? 'must not be empty' : `must be at least ${min} characters`, input: s });
    } else if (s.length > max && codePointLength(s) > max) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters`, input: s });
    }
  });
}
