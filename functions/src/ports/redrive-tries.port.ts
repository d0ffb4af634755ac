import type { SessionState } from '../domain/session.js';

/**
 * One stuck step: a session waiting in one state. The machine is forward-only, so a session enters
 * each state at most once and (sessionId, state) names the step. The version is left out on purpose:
 * some re-drives commit without leaving the state (a charge still `processing`), and the count must
 * not restart with each of them.
 */
export interface RedriveStep {
  sessionId: string;
  state: SessionState;
}

export interface RedriveTally {
  /** Tries counted so far, this one included. */
  tries: number;
  /** When the first try was counted (ISO). */
  firstAt: string;
  /** Set once the step has been escalated to a person. */
  escalatedAt?: string;
}

export interface RedrivePace {
  /** When this try happens (ISO). */
  at: string;
  /** Least time between two tries of one step (ms). */
  gapMs: number;
  /** The same once the step has been escalated (slower: a person is looking). */
  escalatedGapMs: number;
}

/**
 * A durable count of re-drive tries per stuck step, shared by every sweeper: it survives a restart,
 * and two sweepers running at once cannot both take the same try.
 */
export interface RedriveTries {
  /**
   * Counts one more try, atomically, unless the previous one was less than the gap ago — then
   * `undefined`: another sweeper (or an earlier run) has just re-driven the step, so this one must not.
   */
  claim(step: RedriveStep, pace: RedrivePace): Promise<RedriveTally | undefined>;
  /** Marks the step escalated: true for exactly one caller per step. */
  markEscalated(step: RedriveStep, at: string): Promise<boolean>;
  /** Undoes a mark whose alert could not be raised, so a later try raises it. */
  unmarkEscalated(step: RedriveStep): Promise<void>;
}
