/**
 * DynamoDB Local's SQLite connection never checkpoints its write-ahead log: with the store in WAL
 * mode (wal-database.ts) every commit is appended to `-wal` and nothing copies the pages back into
 * the database file, so the log only grows (measured: 12 KB per one-item PutItem, ~3 MB/s under
 * the lifecycle bench, all of it still there after the JVM stops, and replayed at every start).
 *
 * So the stack folds the log in whenever DynamoDB Local does not have the file open: before it
 * starts and after it stops, the SQLite shell (`sqlite3`, a system package like Java) runs
 * `PRAGMA wal_checkpoint(TRUNCATE)` — every committed page is copied into the database file, which
 * is synced, and the log emptied — and, closing as the last connection, removes the log. A stopped
 * store is one file, and a store killed mid-run is folded in at the next start.
 *
 * Not while the JVM runs, although SQLite allows another process to checkpoint a shared WAL
 * database: DynamoDB Local's SQLite build (sqlite4java 3.8.7) has no `usleep`, so its brief waits
 * on WAL locks a checkpointer holds become `sleep(1)` — whole seconds (its library imports
 * `sleep` only). With a checkpoint every 0.1–1 s, 3 of 7 lifecycle bench runs had a store stall of
 * 0.97–1.18 s — that sleep's length — against none in the 8 runs without (worst 384 ms); the host's
 * disk can stall that long by itself too (test/bench/RESULTS.md), so that is a hint, not a proof, but
 * the whole-second wait is in the library either way, and folding the log in while nobody else has
 * the file open races no lock at all. A running stack's log grows with its writes until the next
 * stop or start.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SQLITE3_INSTALL_HINT = 'apt-get install -y sqlite3';

export interface CheckpointResult {
  /** Bytes in the log before (0: there was none). */
  logBytesBefore: number;
  /** Bytes left in the log after (0: folded in and removed). Another connection keeps it. */
  logBytesAfter: number;
}

const RESULT_LINE = /^-?\d+\|-?\d+\|-?\d+$/;

/** The shell's answer to `PRAGMA wal_checkpoint` (`busy|log|checkpointed`): is it one? */
export function isCheckpointAnswer(output: string): boolean {
  return RESULT_LINE.test(output.trim());
}

export interface CheckpointOptions {
  /** The SQLite database file (DynamoDB Local's `shared-local-instance.db`); it must exist. */
  dbFile: string;
  /** The shell's path. Default `sqlite3` on PATH. */
  sqlite3?: string;
  /** Default 60 s (a log of hundreds of MB folds in within a few seconds). */
  timeoutMs?: number;
}

/**
 * Folds the log of `dbFile` into it and removes it. Call it only while DynamoDB Local is not
 * running. Rejects with an install hint when there is no `sqlite3`.
 */
export async function checkpointWal(opts: CheckpointOptions): Promise<CheckpointResult> {
  const command = opts.sqlite3 ?? 'sqlite3';
  const logBytesBefore = logSize(opts.dbFile);
  let stdout: string;
  try {
    ({ stdout } = await run(
      command,
      // -batch: no prompts. The file must exist: the shell would otherwise create an empty one.
      // The shell's own count of frames is no guide (a connection that recovers a dead writer's log
      // reports 0|0|0 and folds it in at close), so what is measured is the log file itself.
      ['-batch', '-bail', opts.dbFile, 'PRAGMA wal_checkpoint(TRUNCATE);'],
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 },
    ));
  } catch (e) {
    const { code, stderr, message } = e as NodeJS.ErrnoException & { stderr?: string };
    throw code === 'ENOENT'
      ? new Error(
          `DynamoDB Local's store on disk needs the SQLite shell to fold in its log, but \`${command}\` was not found. Install it: ${SQLITE3_INSTALL_HINT}`,
        )
      : new Error(`sqlite3 could not checkpoint ${opts.dbFile}: ${stderr?.trim() || message}`);
  }
  if (!isCheckpointAnswer(stdout)) {
    throw new Error(`unexpected answer to PRAGMA wal_checkpoint: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  return { logBytesBefore, logBytesAfter: logSize(opts.dbFile) };
}

function logSize(dbFile: string): number {
  return statSync(`${dbFile}-wal`, { throwIfNoEntry: false })?.size ?? 0;
}
