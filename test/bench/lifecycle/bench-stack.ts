/** What the lifecycle and soak benchmarks set up alike: ephemeral ports, the card, every station on one tariff. */
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { tableNames } from '../../../functions/src/adapters/dynamodb/tables.js';
import type { LocalStack } from '../../../infra/local/stack/local-stack.js';
import { mapLimit } from './drivers-role.js';

export const BENCH_CARD = '4242424242424242';
/** ¥100 a session plus ¥50/kWh: even a 300 ms charge is above Stripe's ¥50 minimum, so every session is paid. */
export const BENCH_TARIFF = { milliYenPerKwh: 50_000, sessionFeeYen: 100, milliYenPerMinute: 0 };

/** Every port of the local stack on 0: the system picks free ones. */
export function ephemeralPorts(): Record<string, string> {
  return Object.fromEntries(
    ['WEB', 'APPSYNC', 'WEBHOOK', 'COGNITO', 'LAMBDA', 'DYNAMODB', 'MQTT', 'MQTT_WS', 'IOT_DATA', 'STRIPE'].map((p) => [
      `EV_PORT_${p}`,
      '0',
    ]),
  );
}

export async function setBenchTariffs(stack: LocalStack): Promise<void> {
  const doc = DynamoDBDocumentClient.from(stack.deps.storeClient);
  const table = tableNames('ev-').stations;
  await mapLimit(stack.stations, 8, (s) =>
    doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { id: s.id },
        UpdateExpression: 'SET tariff = :t',
        ExpressionAttributeValues: { ':t': BENCH_TARIFF },
      }),
    ),
  );
}
