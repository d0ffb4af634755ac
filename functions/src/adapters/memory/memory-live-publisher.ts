import type { Session } from '../../domain/session.js';
import type { Station } from '../../domain/station.js';
import type { LivePublisher } from '../../ports/live-publisher.port.js';

/** Records what subscribers would have received. */
export class MemoryLivePublisher implements LivePublisher {
  readonly sessions: Session[] = [];
  readonly stations: Station[] = [];
  private failures = 0;

  async sessionChanged(session: Session): Promise<void> {
    this.maybeFail();
    this.sessions.push(structuredClone(session));
  }

  async stationChanged(station: Station): Promise<void> {
    this.maybeFail();
    this.stations.push(structuredClone(station));
  }

  failNext(count = 1): void {
    this.failures += count;
  }

  updatesOf(sessionId: string): Session[] {
    return this.sessions.filter((s) => s.id === sessionId);
  }

  private maybeFail(): void {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('publish failed');
    }
  }
}
