/**
 * DynamoDB Local as the stack runs it: data and pid file under the data directory. Kept apart from
 * local-stack.ts (which loads the whole platform's code) so `npm start` can boot the JVM — the slowest
 * part — first and load the rest of the code while it starts.
 */
import { join } from 'node:path';
import { type DynamoDbLocal, startDynamoDbLocal } from '../dynamodb/dynamodb-local.js';
import type { LocalConfig } from './local-config.js';

export const dynamoDbPidFile = (dataDir: string) => join(dataDir, 'dynamodb.pid');

export function startStackDynamoDb(
  cfg: Pick<LocalConfig, 'dataDir' | 'EV_PORT_DYNAMODB'> & Partial<Pick<LocalConfig, 'EV_DYNAMODB_JAVA_OPTS'>>,
  opts: { otherPortIfTaken?: boolean } = {},
): Promise<DynamoDbLocal> {
  return startDynamoDbLocal({
    port: cfg.EV_PORT_DYNAMODB,
    ...opts,
    ...(cfg.EV_DYNAMODB_JAVA_OPTS ? { javaOptions: cfg.EV_DYNAMODB_JAVA_OPTS } : {}),
    dataDir: join(cfg.dataDir, 'dynamodb'),
    pidFile: dynamoDbPidFile(cfg.dataDir),
  });
}
