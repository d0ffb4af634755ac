import type { Session } from '../../domain/session.js';
import type { Station } from '../../domain/station.js';
import type { LivePublisher } from '../../ports/live-publisher.port.js';
import { toSessionView } from '../../presenters/session-view.js';
import { toStationView } from '../../presenters/station-view.js';
import type { AppSyncIamClient } from './appsync-iam-client.js';

// AppSync delivers to subscribers exactly the fields the triggering mutation selected, so the
// publish mutations select every field of the types.
const TARIFF = 'tariff { milliYenPerKwh sessionFeeYen milliYenPerMinute }';
export const SESSION_FIELDS = `id driverId stationId state ${TARIFF} createdAt startedAt endedAt powerW energyWh
  runningCostYen amountYen exposureCapYen exposureCapWh stopReason failureCode failureMessage checkoutUrl
  receipt { startRegisterWh stopRegisterWh energyWh sessionAmountYen carriedInYen chargedYen cardBrand cardLast4
  paymentIntentId paidAt } updatedAt`;
export const STATION_FIELDS = `id name site model ratedW voltageV ${TARIFF} status unavailableReason breaker powerW updatedAt`;

const PUBLISH_SESSION = `mutation Publish($input: SessionUpdateInput!) { publishSessionUpdate(input: $input) { ${SESSION_FIELDS} } }`;
const PUBLISH_STATION = `mutation Publish($input: StationUpdateInput!) { publishStationUpdate(input: $input) { ${STATION_FIELDS} } }`;

export class AppSyncLivePublisher implements LivePublisher {
  constructor(private readonly client: AppSyncIamClient) {}

  async sessionChanged(session: Session): Promise<void> {
    await this.client.request(PUBLISH_SESSION, { input: toSessionView(session) });
  }

  async stationChanged(station: Station): Promise<void> {
    await this.client.request(PUBLISH_STATION, { input: toStationView(station) });
  }
}
