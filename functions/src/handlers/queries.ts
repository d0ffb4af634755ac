/**
 * Read resolvers (Query.*) and the subscribe-time check of Subscription.onSessionUpdate: a driver
 * sees only their own sessions; the owner filter on delivery is enforced separately by AppSync.
 * Also the operator view, whose one write (Mutation.reviewAnomaly) is a note on an anomaly.
 */
import { z } from 'zod';
import { lambdaHandler } from '../composition/lambda.js';
import { SESSION_STATES } from '../domain/session.js';
import type { RecordedAnomaly } from '../ports/anomaly-repository.port.js';
import type { Logger } from '../ports/logger.port.js';
import { toSessionView } from '../presenters/session-view.js';
import type { GetMe } from '../use-cases/get-me.js';
import type { GetSession } from '../use-cases/get-session.js';
import type { ListMySessions } from '../use-cases/list-my-sessions.js';
import type { ListStations } from '../use-cases/list-stations.js';
import type { OperatorAlerts } from '../use-cases/operator-alerts.js';
import type { OperatorAnomalies, ReviewAnomaly } from '../use-cases/operator-anomalies.js';
import type { OperatorSessions } from '../use-cases/operator-sessions.js';
import { routeFields } from './graphql/resolve.js';
import { callerOf, IdArg, OPERATORS_GROUP, operatorOf, parseArgs, unwrap } from './graphql/resolver-kit.js';

export { OPERATORS_GROUP };

export interface QueryDeps {
  listStations: ListStations;
  getMe: GetMe;
  getSession: GetSession;
  listMySessions: ListMySessions;
  operatorSessions: OperatorSessions;
  operatorAlerts: OperatorAlerts;
  operatorAnomalies: OperatorAnomalies;
  reviewAnomaly: ReviewAnomaly;
  logger: Logger;
}

const ById = z.object({ id: IdArg });
const Page = z.object({
  limit: z.number().int().min(1).max(100).nullish(),
  nextToken: z.string().max(2048).nullish(),
});
const OperatorLimit = z.number().int().min(1).max(200).nullish();
const SessionsFilter = z.object({
  states: z.array(z.enum(SESSION_STATES)).min(1).max(SESSION_STATES.length).nullish(),
  limit: OperatorLimit,
});
const AlertsFilter = z.object({ limit: OperatorLimit });
const AnomaliesFilter = z.object({ open: z.boolean().nullish(), limit: OperatorLimit });
/** Anomaly ids are `KIND:subject` (a session, intent or station id, maybe with `/…` or `@time`). */
const AnomalyId = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9_:/@.+-]+$/, 'must be an anomaly id');
const Review = z.object({ id: AnomalyId, note: z.string().max(4_000) });

function toAnomalyView(a: RecordedAnomaly) {
  return {
    id: a.id,
    kind: a.kind,
    subject: a.subject,
    sessionId: a.sessionId ?? null,
    stationId: a.stationId ?? null,
    paymentIntentId: a.paymentIntentId ?? null,
    detail: a.detail,
    evidence: JSON.stringify(a.evidence),
    foundAt: a.foundAt,
    review: a.review ?? null,
  };
}

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
      // The caller's own sessions, all of them: the owner filter on delivery is the whole rule.
      'Subscription.onMySessionUpdates': async (event) => {
        callerOf(event);
        return null;
      },
      'Subscription.onStationUpdate': async (event) => {
        callerOf(event);
        return null;
      },
      // Operator view: every driver's sessions and the alerts for a person; the group is checked first.
      'Query.operatorSessions': async (event) => {
        operatorOf(event);
        const args = parseArgs(SessionsFilter, event.arguments);
        const sessions = unwrap(
          await deps.operatorSessions({ states: args.states ?? undefined, limit: args.limit ?? undefined }),
        );
        return sessions.map(toSessionView);
      },
      'Query.operatorAlerts': async (event) => {
        operatorOf(event);
        const args = parseArgs(AlertsFilter, event.arguments);
        const alerts = unwrap(await deps.operatorAlerts({ limit: args.limit ?? undefined }));
        return alerts.map((a) => ({
          code: a.code,
          detail: a.detail,
          sessionId: a.sessionId ?? null,
          stationId: a.stationId ?? null,
          at: a.at,
        }));
      },
      'Query.operatorAnomalies': async (event) => {
        operatorOf(event);
        const args = parseArgs(AnomaliesFilter, event.arguments);
        const list = unwrap(
          await deps.operatorAnomalies({ open: args.open ?? undefined, limit: args.limit ?? undefined }),
        );
        return list.map(toAnomalyView);
      },
      'Mutation.reviewAnomaly': async (event) => {
        const operator = operatorOf(event);
        const args = parseArgs(Review, event.arguments);
        return toAnomalyView(
          unwrap(await deps.reviewAnomaly({ id: args.id, operatorId: operator.sub, note: args.note })),
        );
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
    ...d.operator,
    logger: d.logger,
  }),
);
