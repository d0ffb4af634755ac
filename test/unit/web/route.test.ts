import { describe, expect, it } from 'vitest';
import { parseRoute, routeToPath } from '../../../web/src/lib/route.js';

describe('parseRoute', () => {
  it("opens the live session on return from Checkout (the backend's success_url)", () => {
    expect(parseRoute('/sessions/s-1', '?checkout=success')).toEqual({
      name: 'session',
      id: 's-1',
      checkout: 'success',
    });
    expect(parseRoute('/sessions/a%2Fb', '')).toEqual({ name: 'session', id: 'a/b' });
  });
  it('accepts the older ?session=<id> form', () => {
    expect(parseRoute('/', '?session=s-1')).toEqual({ name: 'session', id: 's-1' });
  });
  it('recognises a cancelled Checkout in either spelling', () => {
    expect(parseRoute('/sessions/s-1', '?checkout=canceled')).toMatchObject({ checkout: 'cancelled' });
    expect(parseRoute('/', '?checkout=cancel')).toEqual({ name: 'stations', checkout: 'cancelled' });
  });
  it('maps views and falls back to the stations list', () => {
    expect(parseRoute('/history', '')).toEqual({ name: 'history' });
    expect(parseRoute('/operator', '')).toEqual({ name: 'operator' });
    expect(parseRoute('/', '?view=history')).toEqual({ name: 'history' });
    expect(parseRoute('/', '')).toEqual({ name: 'stations' });
    expect(parseRoute('/nope', '?checkout=odd')).toEqual({ name: 'stations' });
    expect(parseRoute('/sessions/', '')).toEqual({ name: 'stations' });
  });
  it('survives a malformed escape in the path', () => {
    expect(parseRoute('/sessions/%E0%A4%A', '')).toEqual({ name: 'stations' });
  });
});

describe('routeToPath', () => {
  it('round-trips every route and drops one-shot checkout markers', () => {
    for (const path of ['/sessions/a%2Fb', '/history', '/operator', '/']) {
      expect(routeToPath(parseRoute(path, ''))).toBe(path);
    }
    expect(routeToPath({ name: 'session', id: 's', checkout: 'success' })).toBe('/sessions/s');
  });
});
