import { randomUUID } from 'node:crypto';

/**
 * Every conditional write stamps a fresh `writeToken`. The SDK retries a call whose answer was
 * lost (timeout, 5xx); if the first attempt had landed, the retry's condition fails — and the
 * item returned with that failure carries our own token, which tells "I already won" from "I lost".
 */
export const WRITE_TOKEN_ATTR = 'writeToken';

export function newWriteToken(): string {
  return randomUUID();
}

interface RawItemCarrier {
  Item?: Record<string, { S?: string }>;
}

function hasRawItem(e: unknown): e is Error & RawItemCarrier {
  return e instanceof Error && 'Item' in e && typeof e.Item === 'object' && e.Item !== null;
}

/** Whether a ConditionalCheckFailed (with ReturnValuesOnConditionCheckFailure ALL_OLD) hit our own write. */
export function failedOnOwnWrite(e: unknown, token: string): boolean {
  return (
    e instanceof Error &&
    e.name === 'ConditionalCheckFailedException' &&
    hasRawItem(e) &&
    e.Item?.[WRITE_TOKEN_ATTR]?.S === token
  );
}
