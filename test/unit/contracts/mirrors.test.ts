/**
 * Lists that must stay equal across a process boundary — the domain, the GraphQL contract and the web
 * app each spell them (the domain imports nothing, the web app bundles on its own) — checked here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../functions/src/domain/errors.js';
import { SESSION_STATES } from '../../../functions/src/domain/session.js';
import { STATION_STATUSES, SESSION_STATES as WEB_SESSION_STATES } from '../../../web/src/api/schemas.js';
import { API_ERROR_CODES } from '../../../web/src/lib/api-errors.js';

const schema = readFileSync(new URL('../../../contracts/schema.graphql', import.meta.url), 'utf8');

function graphqlEnum(name: string): string[] {
  const m = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(schema);
  if (!m?.[1]) throw new Error(`enum ${name} not in the schema`);
  return m[1]
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

describe('mirrored lists', () => {
  it('session states: domain = GraphQL enum = web app', () => {
    expect(graphqlEnum('SessionState')).toEqual([...SESSION_STATES]);
    expect([...WEB_SESSION_STATES]).toEqual([...SESSION_STATES]);
  });

  it('station statuses: GraphQL enum = web app', () => {
    expect(graphqlEnum('StationStatus')).toEqual([...STATION_STATUSES]);
  });

  it('the web app knows every error code the domain can return', () => {
    for (const code of ERROR_CODES) expect(API_ERROR_CODES).toContain(code);
    for (const code of ['UNAUTHORIZED', 'INTERNAL'] as const) expect(API_ERROR_CODES).toContain(code);
  });
});
