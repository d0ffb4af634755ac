/**
 * Dedupe of provider/station events by id. Handlers mark an event after applying it: the session
 * machine already makes a repeated event a no-op, so a crash between apply and mark is harmless.
 */
export interface ProcessedEvents {
  /** Records the id; false when it was already recorded (conditional write). */
  markOnce(eventId: string, at: string): Promise<boolean>;
  has(eventId: string): Promise<boolean>;
}
