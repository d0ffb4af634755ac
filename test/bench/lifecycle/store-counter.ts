/**
 * Counts every call the backend sends to DynamoDB: one middleware at the `initialize` step of the
 * client every repository shares (the DocumentClient uses the same middleware stack), so a call
 * counts once whatever the SDK retries underneath.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface StoreCounter {
  total(): number;
  /** Calls per command and table (`GetItem ev-sessions`); multi-table commands by command only. */
  byCommand(): Record<string, number>;
  reset(): void;
}

export function countStoreCalls(client: DynamoDBClient): StoreCounter {
  let counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: unknown };
      const table = typeof input.TableName === 'string' ? ` ${input.TableName}` : '';
      const name = `${(context.commandName ?? 'unknown').replace(/Command$/, '')}${table}`;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchStoreCallCounter' },
  );
  return {
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byCommand: () => Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
    reset: () => {
      counts = new Map();
    },
  };
}
