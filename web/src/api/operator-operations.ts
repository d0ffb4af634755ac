/**
 * The operator fields (contracts/schema.graphql: `operatorSessions`, `operatorAlerts`, `operatorAnomalies`
 * and `reviewAnomaly`, restricted to the Cognito group `operators`): their documents and the shapes the app parses.
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

const ANOMALY_FIELDS =
  'id kind subject sessionId stationId paymentIntentId detail evidence foundAt review { operatorId note at }';

export const OPERATOR_ANOMALIES_QUERY = `query OperatorAnomalies($open: Boolean, $limit: Int) {
  operatorAnomalies(open: $open, limit: $limit) { ${ANOMALY_FIELDS} }
}`;

export const REVIEW_ANOMALY_MUTATION = `mutation ReviewAnomaly($id: ID!, $note: String!) {
  reviewAnomaly(id: $id, note: $note) { ${ANOMALY_FIELDS} }
}`;

export const AnomalySchema = z.object({
  id: z.string(),
  kind: z.string(),
  subject: z.string(),
  sessionId: z.string().nullish(),
  stationId: z.string().nullish(),
  paymentIntentId: z.string().nullish(),
  detail: z.string(),
  /** AWSJSON arrives as JSON text. */
  evidence: z.string(),
  foundAt: z.string(),
  review: z.object({ operatorId: z.string(), note: z.string(), at: z.string() }).nullish(),
});
export type Anomaly = z.infer<typeof AnomalySchema>;

export const operatorParsers = {
  operatorSessions: z.object({ operatorSessions: z.array(SessionSchema) }).transform((d) => d.operatorSessions),
  operatorAlerts: z.object({ operatorAlerts: z.array(OperatorAlertSchema) }).transform((d) => d.operatorAlerts),
  operatorAnomalies: z.object({ operatorAnomalies: z.array(AnomalySchema) }).transform((d) => d.operatorAnomalies),
  reviewAnomaly: z.object({ reviewAnomaly: AnomalySchema }).transform((d) => d.reviewAnomaly),
};
