/**
 * One idempotency key per intent to start at a station. A second tap while the first request is in
 * flight is ignored; a retry after a network failure reuses the key, so the server sees the same
 * intent and can never open two sessions; a definite answer ends the intent.
 */

export type StartOutcome = 'answered' | 'unanswered';

export class StartIntents {
  private readonly keys = new Map<string, string>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly newKey: () => string) {}

  /** The key to send, or null when a start for this station is already on its way. */
  begin(stationId: string): string | null {
    if (this.inFlight.has(stationId)) return null;
    const key = this.keys.get(stationId) ?? this.newKey();
    this.keys.set(stationId, key);
    this.inFlight.add(stationId);
    return key;
  }

  /** `answered`: the server decided (success or a coded error); `unanswered`: it may or may not have. */
  settle(stationId: string, outcome: StartOutcome): void {
    this.inFlight.delete(stationId);
    if (outcome === 'answered') this.keys.delete(stationId);
  }

  isPending(stationId: string): boolean {
    return this.inFlight.has(stationId);
  }
}
