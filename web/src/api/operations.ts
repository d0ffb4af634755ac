/** GraphQL documents, selecting exactly the fields api/schemas.ts parses. */
const TARIFF = 'tariff { milliYenPerKwh sessionFeeYen milliYenPerMinute }';

const STATION_FIELDS = `id name site model ratedW voltageV ${TARIFF} status unavailableReason breaker powerW updatedAt`;

/** Exported for the operator documents (api/operator-operations.ts), which select the same session fields. */
export const SESSION_FIELDS = `id driverId stationId state ${TARIFF} createdAt startedAt endedAt powerW energyWh
  runningCostYen amountYen exposureCapYen exposureCapWh stopReason failureCode failureMessage checkoutUrl
  receipt { startRegisterWh stopRegisterWh energyWh sessionAmountYen carriedInYen chargedYen cardBrand cardLast4
    paymentIntentId paidAt }
  updatedAt`;

export const STATIONS_QUERY = `query Stations { stations { ${STATION_FIELDS} } }`;

export const STATION_QUERY = `query Station($id: ID!) { station(id: $id) { ${STATION_FIELDS} } }`;

export const ME_QUERY = `query Me { me { id email balanceYen hasCard cardBrand cardLast4 blocked outstandingYen isOperator } }`;

export const SESSION_QUERY = `query Session($id: ID!) { session(id: $id) { ${SESSION_FIELDS} } }`;

export const MY_SESSIONS_QUERY = `query MySessions($limit: Int, $nextToken: String) {
  mySessions(limit: $limit, nextToken: $nextToken) { items { ${SESSION_FIELDS} } nextToken }
}`;

export const START_CHARGE_MUTATION = `mutation StartCharge($stationId: ID!, $idempotencyKey: String!) {
  startCharge(stationId: $stationId, idempotencyKey: $idempotencyKey) { session { ${SESSION_FIELDS} } checkoutUrl }
}`;

export const STOP_CHARGE_MUTATION = `mutation StopCharge($sessionId: ID!) { stopCharge(sessionId: $sessionId) { ${SESSION_FIELDS} } }`;

export const PAY_OUTSTANDING_MUTATION = 'mutation PayOutstanding { payOutstanding { url amountYen } }';

export const ON_SESSION_UPDATE = `subscription OnSessionUpdate($id: ID!) { onSessionUpdate(id: $id) { ${SESSION_FIELDS} } }`;

export const ON_STATION_UPDATE = `subscription OnStationUpdate { onStationUpdate { ${STATION_FIELDS} } }`;
