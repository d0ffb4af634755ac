import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DynamoDbLocal,
  isDynamoDbAnswer,
  JAVA_INSTALL_HINT,
  startDynamoDbLocal,
} from '../../../infra/local/dynamodb/dynamodb-local.js';
import { localDynamoDbClient } from '../../../infra/local/dynamodb/local-client.js';
import { isAlive, terminate } from '../../../infra/local/dynamodb/stale-process.js';
import { SQLITE3_INSTALL_HINT } from '../../../infra/local/dynamodb/wal-checkpointer.js';
import { SHARED_DB_FILE } from '../../../infra/local/dynamodb/wal-database.js';

const started: DynamoDbLocal[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];
const orphans: number[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ddb-local-test-'));
  dirs.push(dir);
  return dir;
}

async function start(opts: Parameters<typeof startDynamoDbLocal>[0] = {}): Promise<DynamoDbLocal> {
  const local = await startDynamoDbLocal(opts);
  started.push(local);
  return local;
}

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const pid of orphans.splice(0)) if (isAlive(pid)) await terminate(pid);
  await Promise.all(started.splice(0).map((l) => l.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

const survivorsTable = {
  TableName: 'survivors',
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
};

/** A port some other process is listening on. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

describe('startDynamoDbLocal', () => {
  it('picks a free port, answers, and on stop frees the port and removes its pid file', async () => {
    const pidFile = join(tempDir(), 'ddb.pid');
    const local = await start({ pidFile });
    expect(local.port).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(pidFile, 'utf8'))).toMatchObject({ pid: local.pid, port: local.port });
    expect(await answers(local.endpoint)).toBe(true);
    await local.stop();
    await local.stop();
    expect(isAlive(local.pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
    expect(await answers(local.endpoint)).toBe(false);
  });

  it('keeps on-disk data across a restart', async () => {
    const dataDir = join(tempDir(), 'nested', 'db');
    const first = await start({ dataDir });
    const client = localDynamoDbClient(first.endpoint);
    await client.send(new CreateTableCommand(survivorsTable));
    await client.send(new PutItemCommand({ TableName: 'survivors', Item: { id: { S: 'kept' } } }));
    client.destroy();
    // The store runs in SQLite's WAL mode (infra/local/dynamodb/wal-database.ts): the header says so
    // and the write went through the write-ahead log.
    const header = readFileSync(join(dataDir, SHARED_DB_FILE)).subarray(0, 20);
    expect([header[18], header[19]]).toEqual([2, 2]);
    expect(existsSync(join(dataDir, `${SHARED_DB_FILE}-wal`))).toBe(true);
    // DynamoDB Local never folds the log in; the stop does (infra/local/dynamodb/wal-checkpointer.ts):
    // the pages are in the database file, and the log is gone.
    expect(statSync(join(dataDir, SHARED_DB_FILE)).size).toBe(4096);
    await first.stop();
    expect(existsSync(join(dataDir, `${SHARED_DB_FILE}-wal`))).toBe(false);
    expect(statSync(join(dataDir, SHARED_DB_FILE)).size).toBeGreaterThan(4096);

    const second = await start({ dataDir });
    const again = localDynamoDbClient(second.endpoint);
    const out = await again.send(new GetItemCommand({ TableName: 'survivors', Key: { id: { S: 'kept' } } }));
    again.destroy();
    expect(out.Item).toEqual({ id: { S: 'kept' } });
  });

  it('ends the JVM a SIGKILLed parent left behind, and its acknowledged writes survive', async () => {
    const dir = tempDir();
    const pidFile = join(dir, 'ddb.pid');
    const dataDir = join(dir, 'db');
    const script = join(import.meta.dirname, 'fixtures', 'orphan-launcher.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, pidFile, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('orphan launcher did not report within 60 s')), 60_000);
      createInterface({ input: child.stdout! }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
      child.once('exit', (code) => reject(new Error(`orphan launcher exited with ${code}`)));
    });
    const orphan = JSON.parse(line) as { pid: number; port: number };
    orphans.push(orphan.pid);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(isAlive(orphan.pid)).toBe(true);

    const local = await start({ pidFile, dataDir, port: orphan.port });
    expect(isAlive(orphan.pid)).toBe(false);
    expect(local.port).toBe(orphan.port);
    const client = localDynamoDbClient(local.endpoint);
    const out = await client.send(
      new GetItemCommand({ TableName: 'survivors', Key: { id: { S: 'written-before-sigkill' } } }),
    );
    client.destroy();
    expect(out.Item).toBeDefined();
    // The killed JVM left its writes in the log only; the start folded them into the database file.
    expect(statSync(join(dataDir, SHARED_DB_FILE)).size).toBeGreaterThan(4096);
  });

  it('says how to install the SQLite shell when a store on disk needs it, before starting Java', async () => {
    const dataDir = join(tempDir(), 'db');
    await expect(startDynamoDbLocal({ dataDir, sqlite3: '/nonexistent/sqlite3' })).rejects.toThrow(
      SQLITE3_INSTALL_HINT,
    );
  });

  it('takes only DynamoDB’s own answer as ready, not another server that took its port', async () => {
    const local = await start();
    expect(isDynamoDbAnswer(await fetch(local.endpoint))).toBe(true);
    // What cognito-local (Express) answers: it once took a port DynamoDB Local was still booting on.
    const impostor = http.createServer((_req, res) => {
      res.writeHead(500, { 'x-powered-by': 'Express', 'content-type': 'application/json; charset=utf-8' });
      res.end('{"code":"CognitoLocal#Unsupported"}');
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      const address = impostor.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      expect(isDynamoDbAnswer(await fetch(`http://127.0.0.1:${port}`))).toBe(false);
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
  });

  it('says how to install Java when it is missing', async () => {
    await expect(startDynamoDbLocal({ env: { PATH: '/nonexistent' } })).rejects.toThrow(JAVA_INSTALL_HINT);
  });

  it('rejects a relative data directory', async () => {
    await expect(startDynamoDbLocal({ dataDir: 'relative/db' })).rejects.toThrow(/absolute/);
  });

  it('reports a fixed port that is already taken', async () => {
    const { server, port } = await holdPort();
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(`port ${port} is already in use`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('moves to a free port when the one asked for is taken and the caller allows it', async () => {
    const { server, port } = await holdPort();
    try {
      const local = await start({ port, otherPortIfTaken: true });
      expect(local.port).not.toBe(port);
      expect(isDynamoDbAnswer(await fetch(local.endpoint))).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
