import { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Session } from '../domain/session.js';
import type { Page } from '../ports/session-repository.port.js';
import type { UseCaseDeps } from './deps.js';

export type ListMySessions = (q: {
  driverId: string;
  limit?: number;
  nextToken?: string;
}) => Promise<Result<Page<Session>, DomainError>>;

export const MAX_PAGE = 100;

/** Newest first, only the caller's own sessions. */
export function makeListMySessions(deps: Pick<UseCaseDeps, 'sessions'>): ListMySessions {
  return async ({ driverId, limit = 20, nextToken }) => {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      return err(new DomainError('VALIDATION', `limit must be 1-${MAX_PAGE}`));
    }
    return ok(await deps.sessions.listByDriver(driverId, limit, nextToken));
  };
}
