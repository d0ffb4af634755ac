export interface IdGenerator {
  /** A new unique id, e.g. `cmd_01J…`. */
  next(prefix: string): string;
  /**
   * A deterministic id from its parts (a hash, not the parts themselves), e.g. the session id from
   * (driverId, startKey) so a repeated startCharge lands on the same session.
   */
  fromParts(prefix: string, ...parts: string[]): string;
}
