import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/**
 * The pid file of a DynamoDB Local JVM. If the Node parent is SIGKILLed the JVM survives, keeps the
 * port and (on disk) the database files; the next start reads this file and ends that JVM first.
 */
const PidRecord = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().positive(),
  dataDir: z.string().optional(),
  startedAt: z.string(),
});
export type PidRecord = z.infer<typeof PidRecord>;

/** The marker in the JVM's command line that tells a leftover DynamoDB Local from a recycled pid. */
const JVM_MARKER = 'DynamoDBLocal.jar';

export function writePidFile(file: string, record: PidRecord): void {
  writeFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

export function readPidFile(file: string): PidRecord | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = PidRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the pid file only while it still names `pid`, so a newer launcher's file survives. */
export function removePidFile(file: string, pid: number): void {
  if (readPidFile(file)?.pid === pid) rmSync(file, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a running DynamoDB Local JVM (on systems without /proc we trust the pid file). */
export function isDynamoDbLocal(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const cmd = commandLineOf(pid);
  return cmd === undefined ? process.platform !== 'linux' : cmd.includes(JVM_MARKER);
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(25);
  }
  return !isAlive(pid);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone (bounded). */
export async function terminate(pid: number, graceMs = 5_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitForExit(pid, graceMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  if (!(await waitForExit(pid, 2_000))) throw new Error(`DynamoDB Local (pid ${pid}) did not exit after SIGKILL`);
}

/**
 * Ends a JVM left behind by an earlier launcher that used the same pid file. Returns the pid it
 * ended, if any. A pid that now belongs to another program is left alone; the stale file goes.
 */
export async function cleanUpStale(pidFile: string): Promise<number | undefined> {
  const record = readPidFile(pidFile);
  if (!record) {
    rmSync(pidFile, { force: true });
    return undefined;
  }
  const stale = isDynamoDbLocal(record.pid);
  if (stale) await terminate(record.pid);
  rmSync(pidFile, { force: true });
  return stale ? record.pid : undefined;
}
