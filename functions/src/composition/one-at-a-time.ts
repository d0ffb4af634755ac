/**
 * Runs tasks with the same key one after another (different keys run in parallel); the key's entry is
 * dropped when its last task settles, so memory follows what is in flight, not what was ever seen.
 *
 * A station answers an open command with its ack and its session_end back to back. Applied at the same
 * time, both read the same session version, one commits and the other's conditional write fails and
 * re-reads: two wasted store calls per session. In turn, the second finds the session already moved on
 * and is a no-op read. Across processes (Lambda instances) the version check still decides.
 */
export function oneAtATime(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (key, task) => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
