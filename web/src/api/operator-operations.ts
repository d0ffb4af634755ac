/**
 * The operator fields (contracts/schema.graphql: `operatorSessions`, `operatorAlerts`, restricted to the
 * Cognito group `operators`): their documents and the shapes the app parses.
 */
import { z } from 'zod';
import { SESSION_FIELDS } from './operations.js';
import { SessionSchema } from './schemas.js';

export const OPERATOR_SESSIONS_QUERY = `query OperatorSessions($states: [SessionState!], $limit: Int) {
  operatorSessions(states: $states, limit: $limit) { ${SESSION_FIELDS} }
}`;

export const OPERATOR_ALERTS_QUERY = `query OperatorAlerts($limit: Int) {
  operatorAlerts(limit: $limit) { code detail sessionId stationId at }
}`;

export const OperatorAlertSchema = z.object({
  code: z.string(),
  detail: z.string(),
  sessionId: z.string().nullish(),
  stationId: z.string().nullish(),
  at: z.string(),
});
export type OperatorAlert = z.infer<typeof OperatorAlertSchema>;

export const operatorParsers = {
  operatorSessions: z.object({ operatorSessions: z.array(SessionSchema) }).transform((d) => d.operatorSessions),
  operatorAlerts: z.object({ operatorAlerts: z.array(OperatorAlertSchema) }).transform((d) => d.operatorAlerts),
};
