/**
 * Read resolvers (Query.*) and the subscribe-time check of Subscription.onSessionUpdate: a driver
 * sees only their own sessions; the owner filter on delivery is enforced separately by AppSync.
 */
import { z } from 'zod';
import { lambdaHandler } from '../composition/lambda.js';
import type { Logger } from '../ports/logger.port.js';
import { toSessionView } from '../presenters/session-view.js';
import type { GetMe } from '../use-cases/get-me.js';
import type { GetSession } from '../use-cases/get-session.js';
import type { ListMySessions } from '../use-cases/list-my-sessions.js';
import type { ListStations } from '../use-cases/list-stations.js';
import { routeFields } from './graphql/resolve.js';
import { callerOf, IdArg, parseArgs, unwrap } from './graphql/resolver-kit.js';

export const OPERATORS_GROUP = 'operators';

export interface QueryDeps {
  listStations: ListStations;
  getMe: GetMe;
  getSession: GetSession;
  listMySessions: ListMySessions;
  logger: Logger;
}

const ById = z.object({ id: IdArg });
const Page = z.object({
  limit: z.number().int().min(1).max(100).nullish(),
  nextToken: z.string().max(2048).nullish(),
});

export function makeHandler(deps: QueryDeps) {
  const stations = async () => unwrap(await deps.listStations());
  return routeFields(
    {
      'Query.stations': async (event) => {
        callerOf(event);
        return stations();
      },
      'Query.station': async (event) => {
        callerOf(event);
        const { id } = parseArgs(ById, event.arguments);
        return (await stations()).find((s) => s.id === id) ?? null;
      },
      'Query.me': async (event) => {
        const caller = callerOf(event);
        const me = unwrap(await deps.getMe({ driverId: caller.sub, email: caller.email }));
        return {
          id: me.id,
          email: me.email ?? caller.email ?? null,
          balanceYen: me.balanceYen,
          hasCard: me.hasCard,
          cardBrand: me.cardBrand ?? null,
          cardLast4: me.cardLast4 ?? null,
          blocked: me.blocked,
          outstandingYen: me.outstandingYen,
          isOperator: caller.groups.includes(OPERATORS_GROUP),
        };
      },
      'Query.mySessions': async (event) => {
        const caller = callerOf(event);
        const args = parseArgs(Page, event.arguments);
        const page = unwrap(
          await deps.listMySessions({
            driverId: caller.sub,
            limit: args.limit ?? undefined,
            nextToken: args.nextToken ?? undefined,
          }),
        );
        return { items: page.items.map(toSessionView), nextToken: page.nextToken ?? null };
      },
      'Query.session': async (event) => {
        const caller = callerOf(event);
        const { id } = parseArgs(ById, event.arguments);
        return toSessionView(unwrap(await deps.getSession({ driverId: caller.sub, sessionId: id })));
      },
      // Subscribing is allowed only to one's own session; deliveries are owner-filtered as well.
      'Subscription.onSessionUpdate': async (event) => {
        const caller = callerOf(event);
        const { id } = parseArgs(ById, event.arguments);
        unwrap(await deps.getSession({ driverId: caller.sub, sessionId: id }));
        return null;
      },
      'Subscription.onStationUpdate': async (event) => {
        callerOf(event);
        return null;
      },
    },
    deps.logger,
  );
}

export const handler = lambdaHandler((d) =>
  makeHandler({
    listStations: d.useCases.listStations,
    getMe: d.useCases.getMe,
    getSession: d.useCases.getSession,
    listMySessions: d.useCases.listMySessions,
    logger: d.logger,
  }),
);
