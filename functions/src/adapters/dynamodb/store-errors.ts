import type { CancellationReason } from '@aws-sdk/client-dynamodb';

/** An unexpected store failure; the SDK error is kept as `cause`. */
export class DynamoDbStoreError extends Error {
  override readonly name = 'DynamoDbStoreError';
  constructor(
    readonly operation: string,
    readonly table: string,
    cause: unknown,
  ) {
    super(`DynamoDB ${operation} on ${table} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/** A page token that was not issued by this adapter (or for another query). */
export class InvalidPageTokenError extends Error {
  override readonly name = 'InvalidPageTokenError';
  readonly code = 'VALIDATION.PAGE_TOKEN';
}

function errorName(e: unknown): string | undefined {
  return e instanceof Error ? e.name : undefined;
}

// Names, not instanceof: a second copy of the SDK in node_modules would defeat instanceof.
function isCancellation(e: unknown): e is Error & { CancellationReasons?: CancellationReason[] } {
  return errorName(e) === 'TransactionCanceledException';
}

/**
 * True when a write lost a race: its condition failed, or another transaction held the item.
 * A cancelled transaction counts only if every reason is one of those (a validation or
 * throttling reason inside it is a real failure).
 */
export function lostRace(e: unknown): boolean {
  const name = errorName(e);
  if (name === 'ConditionalCheckFailedException' || name === 'TransactionConflictException') return true;
  if (!isCancellation(e)) return false;
  const reasons = e.CancellationReasons ?? [];
  const codes = reasons.map((r) => r.Code ?? 'None').filter((c) => c !== 'None');
  return codes.length > 0 && codes.every((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict');
}

/** Runs a store call; a lost race becomes `onLost`, anything else a DynamoDbStoreError. */
export async function guarded<T, L>(
  operation: string,
  table: string,
  call: () => Promise<T>,
  onLost: () => L,
): Promise<T | L> {
  try {
    return await call();
  } catch (e) {
    if (lostRace(e)) return onLost();
    throw new DynamoDbStoreError(operation, table, e);
  }
}

/** Runs a store call; every failure becomes a DynamoDbStoreError. */
export async function wrapped<T>(operation: string, table: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw new DynamoDbStoreError(operation, table, e);
  }
}

/** The version rule every repository shares: a write carries expectedVersion + 1 (a use-case bug otherwise). */
export function assertNextVersion(next: number, expected: number, what: string): void {
  if (next !== expected + 1)
    throw new Error(`${what}: version must be expectedVersion + 1 (${expected + 1}), got ${next}`);
}
