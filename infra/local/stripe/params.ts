/** zod at the emulator's edge: form strings to typed params, failures to Stripe's 400 shape. */
import { z } from 'zod';
import { invalidRequest } from './errors.js';
import type { FormObject } from './form.js';

export const zInt = z
  .string()
  .regex(/^-?\d+$/, 'Invalid integer')
  .transform((v) => Number(v));
export const zBool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const zMetadata = z.record(z.string(), z.string());
export const zExpand = z.array(z.string());
export const zRange = z.union([
  zInt,
  z.object({ gt: zInt.optional(), gte: zInt.optional(), lt: zInt.optional(), lte: zInt.optional() }).strict(),
]);
export const zList = {
  limit: zInt.optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  expand: zExpand.optional(),
};

function paramName(path: readonly PropertyKey[]): string | undefined {
  const [head, ...rest] = path.map(String);
  return head === undefined ? undefined : head + rest.map((p) => `[${p}]`).join('');
}

export function parseParams<S extends z.ZodType>(schema: S, raw: FormObject): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw invalidRequest('Invalid request');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const name = paramName([...issue.path, key]) ?? key;
    throw invalidRequest(`Received unknown parameter: ${name}`, name, 'parameter_unknown');
  }
  const name = paramName(issue.path);
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    throw invalidRequest(`Missing required param: ${name}.`, name, 'parameter_missing');
  }
  throw invalidRequest(`Invalid ${name}: ${issue.message}`, name, 'parameter_invalid');
}

export function inRange(value: number, range: z.output<typeof zRange> | undefined): boolean {
  if (range === undefined) return true;
  if (typeof range === 'number') return value === range;
  return (
    (range.gt === undefined || value > range.gt) &&
    (range.gte === undefined || value >= range.gte) &&
    (range.lt === undefined || value < range.lt) &&
    (range.lte === undefined || value <= range.lte)
  );
}

/** Stripe treats an empty string as "unset"; metadata keys set to '' are removed. */
export function mergeMetadata(
  current: Record<string, string> | null,
  update: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(update ?? {})) {
    if (v === '') delete out[k];
    else out[k] = v;
  }
  return out;
}
