#!/usr/bin/env node
// The test command (`npm test`): lint, typecheck, the dependency rule, then every vitest project
// with coverage thresholds. Prints one closing summary line CI can read: "tests: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const steps = [
  ['lint', 'npx', ['biome', 'check', '.']],
  ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
  ['dependency rule', 'npm', ['run', '--silent', 'deps']],
];
const results = [];
let failed = false;
for (const [name, cmd, args] of steps) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  results.push(`${name}: ${r.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failed = true;
}

mkdirSync('test/artifacts', { recursive: true });
const out = 'test/artifacts/vitest.json';
const t0 = Date.now();
const v = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--coverage',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
results.push(`vitest: ${v.status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
if (v.status !== 0) failed = true;

let passed = 0;
let failedTests = 0;
let skipped = 0;
if (existsSync(out)) {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  passed = j.numPassedTests ?? 0;
  failedTests = j.numFailedTests ?? 0;
  skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
}
console.log(`\n${results.join('\n')}`);
if (failed && failedTests === 0) failedTests = 1; // a failed step counts as a failure in the summary
console.log(`tests: ${passed} passed, ${failedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
