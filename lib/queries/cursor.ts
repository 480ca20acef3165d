import type { z } from 'zod';
import { AppError } from '@/lib/errors';

/**
 * Keyset cursors: the last item's place in a list's stable order, as base64url JSON. Decoding checks
 * the place against the list's own shape, so a cursor of another list (or a forged one) is a 400.
 * `maxLength` refuses, before decoding, a cursor longer than any the list can issue.
 */
export function cursorCodec<S extends z.ZodType>(shape: S, { maxLength = Infinity } = {}) {
  return {
    encode: (pos: z.output<S>): string => Buffer.from(JSON.stringify(pos), 'utf8').toString('base64url'),
    decode(raw: string): z.output<S> {
      try {
        if (raw.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
        return shape.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
      } catch {
        throw new AppError('bad_request', 'cursor: not a cursor this endpoint issued');
      }
    },
  };
}
