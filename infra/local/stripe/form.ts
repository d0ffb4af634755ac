/**
 * Decodes Stripe's form encoding (what the SDK sends): nested `a[b][c]=v`, indexed arrays
 * `expand[0]=x` (the SDK's form) and bracket arrays `expand[]=x` (curl's form).
 */
export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

function splitKey(key: string): string[] | undefined {
  const open = key.indexOf('[');
  if (open === -1) return [key];
  const segments = [key.slice(0, open)];
  const re = /\[([^[\]]*)\]/gy;
  re.lastIndex = open;
  let consumed = open;
  for (let m = re.exec(key); m; m = re.exec(key)) {
    segments.push(m[1] ?? '');
    consumed = re.lastIndex;
  }
  return consumed === key.length ? segments : undefined;
}

type Node = Map<string, Node | string>;

function toValue(node: Node | string): FormValue {
  if (typeof node === 'string') return node;
  const keys = [...node.keys()];
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => toValue(node.get(k) ?? ''));
  }
  const obj: FormObject = {};
  for (const [k, v] of node) obj[k] = toValue(v);
  return obj;
}

export function parseForm(encoded: string): FormObject {
  const root: Node = new Map();
  for (const [rawKey, value] of new URLSearchParams(encoded)) {
    const segments = splitKey(rawKey);
    if (!segments || segments.some((s) => FORBIDDEN.has(s))) continue;
    let node = root;
    segments.forEach((segment, i) => {
      const key = segment === '' ? String(node.size) : segment;
      if (i === segments.length - 1) {
        node.set(key, value);
        return;
      }
      const next = node.get(key);
      if (next instanceof Map) {
        node = next;
      } else {
        const created: Node = new Map();
        node.set(key, created);
        node = created;
      }
    });
  }
  const out = toValue(root);
  return Array.isArray(out) || typeof out === 'string' ? {} : out;
}
