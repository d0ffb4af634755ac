/**
 * How the local stack's direct wires (to DynamoDB Local and to the IoT data-plane shim) retry, as the
 * SDK clients they stand in for do: a dropped or refused socket, a timeout, or a 5xx answer is tried
 * again, at most three attempts in all, 50 then 100 ms apart. Both send only what is safe to repeat:
 * writes that carry their own tokens and conditions, commands a station acts on once.
 */
const NETWORK_FAILURES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
const MAX_ATTEMPTS = 3;

/** A network failure (by its `code`) or a service fault (`$fault: 'server'`, the SDK's mark for a 5xx). */
export function retryable(e: unknown): boolean {
  const { code, $fault } = (e ?? {}) as { code?: unknown; $fault?: unknown };
  return $fault === 'server' || (typeof code === 'string' && NETWORK_FAILURES.has(code));
}

export async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!retryable(e) || n >= MAX_ATTEMPTS) throw e;
      await new Promise((r) => setTimeout(r, 25 * 2 ** n));
    }
  }
}
