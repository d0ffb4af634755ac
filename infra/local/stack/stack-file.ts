/**
 * `.data/stack.json`: written by `npm start` once it is ready, removed on a clean stop. `npm run status`
 * and the tests read it to find the running platform; a file whose pid is gone means the last run was
 * killed (the next start cleans up after it).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const StackFileSchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  readyInMs: z.number().int().nonnegative(),
  /** Child processes the stack started (JVM, cognito-local), for status and for tests. */
  children: z.record(z.string(), z.number().int().positive()).default({}),
  urls: z.object({
    web: z.string().optional(),
    graphql: z.string(),
    realtime: z.string(),
    cognito: z.string(),
    userPoolId: z.string(),
    clientId: z.string(),
    stripe: z.string(),
    webhook: z.string(),
    mqtt: z.string(),
    mqttWs: z.string(),
    iotData: z.string(),
    dynamodb: z.string(),
  }),
});
export type StackFile = z.infer<typeof StackFileSchema>;

export const stackFilePath = (dataDir: string) => join(dataDir, 'stack.json');

export function writeStackFile(dataDir: string, stack: StackFile): void {
  writeFileSync(stackFilePath(dataDir), `${JSON.stringify(stack, null, 2)}\n`);
}

/** undefined when absent; throws when present but unreadable (a person should see that). */
export function readStackFile(dataDir: string): StackFile | undefined {
  const file = stackFilePath(dataDir);
  if (!existsSync(file)) return undefined;
  const parsed = StackFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a stack file: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function removeStackFile(dataDir: string): void {
  rmSync(stackFilePath(dataDir), { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
