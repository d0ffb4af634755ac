#!/usr/bin/env node
// Measures the production build: the JS a first visit downloads (entry + modulepreloads) and the
// lazily loaded rest, raw and gzipped. Prints one JSON object; exit code 1 when over budget.
// Usage: npx vite build --config web/vite.config.ts && node web/scripts/size.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP_BYTES = 250_000;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const html = readFileSync(join(dist, 'index.html'), 'utf8');

const refs = (pattern) => [...html.matchAll(pattern)].map((m) => m[1].replace(/^\//, ''));
const initialJs = new Set([
  ...refs(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
  ...refs(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
]);
const css = refs(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g);

function measure(file) {
  const bytes = readFileSync(join(dist, file));
  return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}
const total = (items) => ({
  bytes: items.reduce((sum, i) => sum + i.bytes, 0),
  gzipBytes: items.reduce((sum, i) => sum + i.gzipBytes, 0),
});

const allJs = readdirSync(join(dist, 'assets'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => `assets/${f}`);
const initial = [...initialJs].map(measure);
const lazy = allJs.filter((f) => !initialJs.has(f)).map(measure);
const styles = css.map(measure);

const report = {
  initialJs: { ...total(initial), files: initial },
  lazyJs: { ...total(lazy), files: lazy },
  css: { ...total(styles), files: styles },
  budgetGzipBytes: BUDGET_GZIP_BYTES,
  withinBudget: total(initial).gzipBytes <= BUDGET_GZIP_BYTES,
};
console.log(JSON.stringify(report, null, 2));
process.exitCode = report.withinBudget ? 0 : 1;
