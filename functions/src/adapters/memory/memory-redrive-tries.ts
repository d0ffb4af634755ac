import type { RedrivePace, RedriveStep, RedriveTally, RedriveTries } from '../../ports/redrive-tries.port.js';

interface Entry {
  tries: number;
  firstAt: string;
  lastAtMs: number;
  escalatedAt?: string;
}

/** Re-drive tries in one process (unit tests); the DynamoDB adapter is the durable one. */
export class MemoryRedriveTries implements RedriveTries {
  private readonly entries = new Map<string, Entry>();

  async claim(step: RedriveStep, pace: RedrivePace): Promise<RedriveTally | undefined> {
    const atMs = Date.parse(pace.at);
    if (Number.isNaN(atMs)) throw new RangeError(`claim: "${pace.at}" is not an ISO time`);
    const key = keyOf(step);
    const e = this.entries.get(key);
    if (e) {
      const gap = e.escalatedAt === undefined ? pace.gapMs : pace.escalatedGapMs;
      if (atMs - e.lastAtMs < gap) return undefined;
      e.tries += 1;
      e.lastAtMs = atMs;
      return tally(e);
    }
    const created: Entry = { tries: 1, firstAt: pace.at, lastAtMs: atMs };
    this.entries.set(key, created);
    return tally(created);
  }

  async markEscalated(step: RedriveStep, at: string): Promise<boolean> {
    const e = this.entries.get(keyOf(step));
    if (!e || e.escalatedAt !== undefined) return false;
    e.escalatedAt = at;
    return true;
  }

  async unmarkEscalated(step: RedriveStep): Promise<void> {
    const e = this.entries.get(keyOf(step));
    if (e) delete e.escalatedAt;
  }
}

const keyOf = (step: RedriveStep): string => `${step.sessionId}#${step.state}`;

function tally(e: Entry): RedriveTally {
  return { tries: e.tries, firstAt: e.firstAt, ...(e.escalatedAt === undefined ? {} : { escalatedAt: e.escalatedAt }) };
}
