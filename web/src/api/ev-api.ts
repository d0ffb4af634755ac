/**
 * The driver API as typed, validated calls. The transport (Amplify in the browser, a fake in unit
 * tests) moves raw GraphQL; this layer parses every answer and turns every failure into an ApiError.
 */
import { z } from 'zod';
import { ApiError, toApiError } from '../lib/api-errors.js';
import {
  ME_QUERY,
  MY_SESSIONS_QUERY,
  ON_SESSION_UPDATE,
  ON_STATION_UPDATE,
  PAY_OUTSTANDING_MUTATION,
  SESSION_QUERY,
  START_CHARGE_MUTATION,
  STATION_QUERY,
  STATIONS_QUERY,
  STOP_CHARGE_MUTATION,
} from './operations.js';
import {
  type Anomaly,
  OPERATOR_ALERTS_QUERY,
  OPERATOR_ANOMALIES_QUERY,
  OPERATOR_SESSIONS_QUERY,
  type OperatorAlert,
  operatorParsers,
  REVIEW_ANOMALY_MUTATION,
} from './operator-operations.js';
import {
  type ChargingSession,
  type CheckoutLink,
  CheckoutLinkSchema,
  type Me,
  MeSchema,
  type SessionPage,
  SessionPageSchema,
  SessionSchema,
  type SessionState,
  type StartChargeResult,
  StartChargeResultSchema,
  type Station,
  StationSchema,
} from './schemas.js';

export type Variables = Readonly<Record<string, unknown>>;

export interface GraphqlTransport {
  /** Resolves with the response's `data`; rejects with whatever the client throws. */
  request(query: string, variables: Variables): Promise<unknown>;
  /** Calls `onData` with each event's `data`; returns the unsubscribe function. */
  subscribe(
    query: string,
    variables: Variables,
    onData: (data: unknown) => void,
    onError: (error: unknown) => void,
  ): () => void;
}

export interface EvApi {
  stations(): Promise<Station[]>;
  station(id: string): Promise<Station | null>;
  me(): Promise<Me>;
  session(id: string): Promise<ChargingSession | null>;
  mySessions(limit: number, nextToken?: string | null): Promise<SessionPage>;
  startCharge(stationId: string, idempotencyKey: string): Promise<StartChargeResult>;
  stopCharge(sessionId: string): Promise<ChargingSession>;
  payOutstanding(): Promise<CheckoutLink>;
  onSessionUpdate(id: string, next: (session: ChargingSession) => void, fail: (error: ApiError) => void): () => void;
  onStationUpdate(next: (station: Station) => void, fail: (error: ApiError) => void): () => void;
  /** Operators only (FORBIDDEN / Unauthorized otherwise): every driver's sessions in these states. */
  operatorSessions(states?: readonly SessionState[], limit?: number): Promise<ChargingSession[]>;
  /** Operators only: alerts for a person to look at, newest first. */
  operatorAlerts(limit?: number): Promise<OperatorAlert[]>;
  /** Operators only: reconciliation anomalies, newest first; open = not yet reviewed. */
  operatorAnomalies(open?: boolean, limit?: number): Promise<Anomaly[]>;
  /** Operators only: marks an anomaly reviewed with a note (required). */
  reviewAnomaly(id: string, note: string): Promise<Anomaly>;
}

const parsers = {
  stations: z.object({ stations: z.array(StationSchema) }).transform((d) => d.stations),
  station: z.object({ station: StationSchema.nullable() }).transform((d) => d.station),
  me: z.object({ me: MeSchema }).transform((d) => d.me),
  session: z.object({ session: SessionSchema.nullable() }).transform((d) => d.session),
  mySessions: z.object({ mySessions: SessionPageSchema }).transform((d) => d.mySessions),
  startCharge: z.object({ startCharge: StartChargeResultSchema }).transform((d) => d.startCharge),
  stopCharge: z.object({ stopCharge: SessionSchema }).transform((d) => d.stopCharge),
  payOutstanding: z.object({ payOutstanding: CheckoutLinkSchema }).transform((d) => d.payOutstanding),
  onSessionUpdate: z.object({ onSessionUpdate: SessionSchema.nullable() }).transform((d) => d.onSessionUpdate),
  onStationUpdate: z.object({ onStationUpdate: StationSchema.nullable() }).transform((d) => d.onStationUpdate),
};

function parseOrThrow<T>(parser: z.ZodType<T>, data: unknown, operation: string): T {
  const parsed = parser.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new ApiError('UNKNOWN', `${operation}: response does not match the contract`, { cause: parsed.error });
}

export function createEvApi(transport: GraphqlTransport): EvApi {
  async function call<T>(operation: string, parser: z.ZodType<T>, query: string, variables: Variables = {}) {
    let data: unknown;
    try {
      data = await transport.request(query, variables);
    } catch (error) {
      throw toApiError(error);
    }
    return parseOrThrow(parser, data, operation);
  }

  function listen<T>(
    operation: string,
    parser: z.ZodType<T | null>,
    query: string,
    variables: Variables,
    next: (value: T) => void,
    fail: (error: ApiError) => void,
  ): () => void {
    return transport.subscribe(
      query,
      variables,
      (data) => {
        const parsed = parser.safeParse(data);
        if (!parsed.success) {
          fail(new ApiError('UNKNOWN', `${operation}: event does not match the contract`, { cause: parsed.error }));
        } else if (parsed.data !== null) {
          next(parsed.data);
        }
      },
      (error) => fail(toApiError(error)),
    );
  }

  return {
    stations: () => call('stations', parsers.stations, STATIONS_QUERY),
    station: (id) => call('station', parsers.station, STATION_QUERY, { id }),
    me: () => call('me', parsers.me, ME_QUERY),
    session: (id) => call('session', parsers.session, SESSION_QUERY, { id }),
    mySessions: (limit, nextToken) =>
      call('mySessions', parsers.mySessions, MY_SESSIONS_QUERY, { limit, nextToken: nextToken ?? null }),
    startCharge: (stationId, idempotencyKey) =>
      call('startCharge', parsers.startCharge, START_CHARGE_MUTATION, { stationId, idempotencyKey }),
    stopCharge: (sessionId) => call('stopCharge', parsers.stopCharge, STOP_CHARGE_MUTATION, { sessionId }),
    payOutstanding: () => call('payOutstanding', parsers.payOutstanding, PAY_OUTSTANDING_MUTATION),
    onSessionUpdate: (id, next, fail) =>
      listen('onSessionUpdate', parsers.onSessionUpdate, ON_SESSION_UPDATE, { id }, next, fail),
    onStationUpdate: (next, fail) =>
      listen('onStationUpdate', parsers.onStationUpdate, ON_STATION_UPDATE, {}, next, fail),
    operatorSessions: (states, limit) =>
      call('operatorSessions', operatorParsers.operatorSessions, OPERATOR_SESSIONS_QUERY, {
        states: states ? [...states] : null,
        limit: limit ?? null,
      }),
    operatorAlerts: (limit) =>
      call('operatorAlerts', operatorParsers.operatorAlerts, OPERATOR_ALERTS_QUERY, { limit: limit ?? null }),
    operatorAnomalies: (open, limit) =>
      call('operatorAnomalies', operatorParsers.operatorAnomalies, OPERATOR_ANOMALIES_QUERY, {
        open: open ?? null,
        limit: limit ?? null,
      }),
    reviewAnomaly: (id, note) =>
      call('reviewAnomaly', operatorParsers.reviewAnomaly, REVIEW_ANOMALY_MUTATION, { id, note }),
  };
}
