/** `expand[]`: replaces id strings by the objects they name, following dotted paths (max depth 4). */
import { invalidRequest } from './errors.js';
import type { TableName, Tx } from './store.js';

const PREFIXES: ReadonlyArray<readonly [string, TableName]> = [
  ['cus_', 'customer'],
  ['pm_', 'payment_method'],
  ['seti_', 'setup_intent'],
  ['pi_', 'payment_intent'],
  ['ch_', 'charge'],
  ['re_', 'refund'],
  ['cs_', 'checkout_session'],
  ['dp_', 'dispute'],
];

function resolve(tx: Tx, id: string): unknown {
  const hit = PREFIXES.find(([p]) => id.startsWith(p));
  return hit ? tx.get(hit[1], id) : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expandPath(tx: Tx, value: unknown, segments: string[], full: string): unknown {
  const [field, ...rest] = segments;
  if (field === undefined || !isRecord(value)) return value;
  if (value.object === 'list' && field === 'data' && Array.isArray(value.data)) {
    return { ...value, data: value.data.map((item) => expandPath(tx, item, rest, full)) };
  }
  if (!(field in value)) throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
  let child = value[field];
  if (typeof child === 'string') {
    const found = resolve(tx, child);
    if (found === undefined) throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
    child = found;
  }
  return { ...value, [field]: expandPath(tx, child, rest, full) };
}

export function expand(tx: Tx, value: unknown, paths: readonly string[] | undefined): unknown {
  let out: unknown = value;
  for (const path of paths ?? []) {
    const segments = path.split('.');
    if (segments.length > 4) throw invalidRequest(`You cannot expand more than 4 levels of a property (${path}).`);
    out = expandPath(tx, out, segments, path);
  }
  return out;
}
