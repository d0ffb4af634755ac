import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A client for DynamoDB Local. It runs with a shared database, so any credentials and region
 * see the same tables; these are placeholders, never real keys.
 */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}
