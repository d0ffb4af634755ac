import { invalidRequest, notFound } from './errors.js';

export interface ListObject<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

/** Stripe lists newest first; `items` arrive in insertion (oldest-first) order. */
export function paginate<T extends { id: string }>(
  items: T[],
  q: { limit?: number | undefined; starting_after?: string | undefined; ending_before?: string | undefined },
  url: string,
  resource: string,
): ListObject<T> {
  const limit = q.limit ?? 10;
  if (limit < 1 || limit > 100) throw invalidRequest('This value must be between 1 and 100.', 'limit');
  const newestFirst = [...items].reverse();
  if (q.starting_after) {
    const i = newestFirst.findIndex((x) => x.id === q.starting_after);
    if (i === -1) throw notFound(resource, q.starting_after, 'starting_after');
    const rest = newestFirst.slice(i + 1);
    return { object: 'list', data: rest.slice(0, limit), has_more: rest.length > limit, url };
  }
  if (q.ending_before) {
    const i = newestFirst.findIndex((x) => x.id === q.ending_before);
    if (i === -1) throw notFound(resource, q.ending_before, 'ending_before');
    const before = newestFirst.slice(0, i);
    return { object: 'list', data: before.slice(-limit), has_more: before.length > limit, url };
  }
  return { object: 'list', data: newestFirst.slice(0, limit), has_more: newestFirst.length > limit, url };
}
