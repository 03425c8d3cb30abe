/**
 * How one environment value is read (zod mini schemas shared by `config.ts`): blank means unset,
 * whole numbers within bounds, booleans (true/false, 1/0, yes/no), and one of a set of words, each
 * with its default when unset.
 */
import * as z from 'zod/mini';

export const blankToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);

/** `z.preprocess` of the classic API, built from the mini API's pieces (pipe of a transform). */
export const preprocess = <S extends z.ZodMiniType>(fn: (v: unknown) => unknown, schema: S) => z.pipe(z.transform(fn), schema);

export const integer = (min: number, max: number, fallback: number) =>
  preprocess(
    blankToUndefined,
    z.pipe(
      z.optional(z.pipe(z.string().check(z.regex(/^-?\d+$/, { message: 'expected a whole number' })), z.pipe(z.transform(Number), z.number().check(z.minimum(min, { message: `must be at least ${min}` }), z.maximum(max, { message: `must be at most ${max}` }))))),
      z.transform((v: number | undefined) => v ?? fallback),
    ),
  );

export const lowerBlank = (v: unknown): unknown => (typeof blankToUndefined(v) === 'string' ? (blankToUndefined(v) as string).toLowerCase() : blankToUndefined(v));

export const boolean = (fallback: boolean) =>
  preprocess(
    lowerBlank,
    z.pipe(
      z.optional(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })),
      z.transform((v: 'true' | 'false' | '1' | '0' | 'yes' | 'no' | undefined): boolean => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes')),
    ),
  );

export const choice = <T extends string>(values: readonly [T, ...T[]], fallback: T) =>
  preprocess(lowerBlank, z.pipe(z.optional(z.enum(values, { message: `expected one of ${values.join(', ')}` })), z.transform((v: T | undefined): T => v ?? fallback)));
