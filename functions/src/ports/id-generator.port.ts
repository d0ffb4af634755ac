export interface IdGenerator {
  /** A new unique id, e.g. `cmd_01J…`. */
  next(prefix: string): string;
}
