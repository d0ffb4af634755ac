import type { BreakerCommand, BreakerControl } from '../../ports/breaker-control.port.js';

export interface SentCommand {
  stationId: string;
  command: BreakerCommand;
}

/** Records every command; `failNext` makes the next sends throw, as a broken broker link would. */
export class MemoryBreakerControl implements BreakerControl {
  readonly sent: SentCommand[] = [];
  private failures = 0;

  async send(stationId: string, command: BreakerCommand): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error(`breaker link down: ${stationId}`);
    }
    this.sent.push({ stationId, command: structuredClone(command) });
  }

  failNext(count = 1): void {
    this.failures += count;
  }

  commandsFor(sessionId: string): BreakerCommand[] {
    return this.sent.filter((s) => s.command.sessionId === sessionId).map((s) => s.command);
  }
}
