import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs the same dependency-cruiser check `npm run deps` runs, on a given tree. */
function cruise(path: string) {
  const r = spawnSync('npx', ['depcruise', path, '--config', '.dependency-cruiser.cjs'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('the dependency rule', () => {
  it('fails the build when a domain file imports an adapter, naming domain-is-pure', () => {
    const r = cruise('test/fixtures/dep-rule/functions/src');
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(
      /error domain-is-pure: .*domain\/leaky-pricing\.ts → .*adapters\/memory\/memory-tariffs\.ts/,
    );
  }, 60_000);

  it('passes on functions/src', () => {
    const r = cruise('functions/src');
    expect(r.output).toMatch(/no dependency violations found/);
    expect(r.status).toBe(0);
  }, 60_000);
});
