import type { Logger } from '../../ports/logger.port.js';
import { ResolverError, type ResolverEvent } from './resolver-kit.js';

export type FieldResolver = (event: ResolverEvent) => Promise<unknown>;

/**
 * One Lambda serves several fields (AppSync passes `info.parentTypeName` and `info.fieldName`).
 * Expected errors pass through with their errorType; anything else is logged and hidden as INTERNAL.
 */
export function routeFields(fields: Record<string, FieldResolver>, logger: Logger) {
  return async (event: ResolverEvent): Promise<unknown> => {
    const key = `${event.info?.parentTypeName}.${event.info?.fieldName}`;
    const resolve = fields[key];
    if (!resolve) throw new ResolverError('INTERNAL', `No resolver for ${key}.`);
    try {
      return await resolve(event);
    } catch (e) {
      if (e instanceof ResolverError) {
        logger.info('resolver refused', { field: key, errorType: e.errorType });
        throw e;
      }
      logger.error('resolver failed', { field: key, err: e instanceof Error ? e.message : String(e) });
      throw new ResolverError('INTERNAL', 'Something went wrong on our side; nothing was charged twice. Try again.');
    }
  };
}
