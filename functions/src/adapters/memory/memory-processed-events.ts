import type { ProcessedEvents } from '../../ports/processed-events.port.js';

export class MemoryProcessedEvents implements ProcessedEvents {
  private readonly seen = new Map<string, string>();

  async markOnce(eventId: string, at: string): Promise<boolean> {
    if (this.seen.has(eventId)) return false;
    this.seen.set(eventId, at);
    return true;
  }

  async has(eventId: string): Promise<boolean> {
    return this.seen.has(eventId);
  }
}
