import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkpointWal,
  isCheckpointAnswer,
  SQLITE3_INSTALL_HINT,
} from '../../../infra/local/dynamodb/wal-checkpointer.js';

const sqlite = (db: string, sql: string) => execFileSync('sqlite3', ['-batch', db, sql], { encoding: 'utf8' }).trim();

/**
 * A WAL database whose writer died before closing, as DynamoDB Local's JVM leaves it: the shell
 * writes 200 rows with its own checkpoints off, then SIGKILLs itself, so the rows are in `-wal` only.
 */
function walLeftByAKilledWriter(dir: string): string {
  const db = join(dir, 'store.db');
  const run = spawnSync(
    'sqlite3',
    [
      '-batch',
      db,
      'PRAGMA journal_mode=WAL;',
      'PRAGMA wal_autocheckpoint=0;',
      'CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);',
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<200) INSERT INTO t SELECT i, printf('%0500d', i) FROM n;",
      '.system kill -9 $PPID',
    ],
    { encoding: 'utf8' },
  );
  expect(run.signal ?? run.status).toBe('SIGKILL');
  return db;
}

describe('folding DynamoDB Local’s write-ahead log into its database file', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'ev-ckpt-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('knows the shell’s busy|log|checkpointed answer from anything else', () => {
    expect(isCheckpointAnswer('0|42|42\n')).toBe(true);
    expect(isCheckpointAnswer('0|-1|-1')).toBe(true);
    expect(isCheckpointAnswer('Error: database is locked')).toBe(false);
    expect(isCheckpointAnswer('')).toBe(false);
  });

  it('copies every committed page of a killed writer’s log into the file and removes the log', async () => {
    const db = walLeftByAKilledWriter(tempDir());
    const wal = `${db}-wal`;
    const statSizeWas = statSync(wal).size;
    expect(statSizeWas).toBeGreaterThan(100_000);
    const before = statSync(db).size;

    const result = await checkpointWal({ dbFile: db });

    expect(result).toEqual({ logBytesBefore: statSizeWas, logBytesAfter: 0 });
    expect(existsSync(wal)).toBe(false);
    expect(statSync(db).size).toBeGreaterThan(before + 100_000);
    expect(sqlite(db, 'SELECT count(*), max(id) FROM t;')).toBe('200|200');
  });

  it('is harmless on a file whose log is already folded in, and on one not in WAL mode', async () => {
    const db = walLeftByAKilledWriter(tempDir());
    await checkpointWal({ dbFile: db });
    expect(await checkpointWal({ dbFile: db })).toEqual({ logBytesBefore: 0, logBytesAfter: 0 });

    const rollback = join(tempDir(), 'rollback.db');
    sqlite(rollback, 'CREATE TABLE t(x); INSERT INTO t VALUES (1);');
    expect(await checkpointWal({ dbFile: rollback })).toEqual({ logBytesBefore: 0, logBytesAfter: 0 });
    expect(sqlite(rollback, 'SELECT count(*) FROM t;')).toBe('1');
  });

  it('says how to install the shell when it is missing', async () => {
    const db = walLeftByAKilledWriter(tempDir());
    await expect(checkpointWal({ dbFile: db, sqlite3: '/nonexistent/sqlite3' })).rejects.toThrow(SQLITE3_INSTALL_HINT);
    expect(existsSync(`${db}-wal`)).toBe(true);
  });

  it('leaves the log to a connection that still has the file open', async () => {
    const db = walLeftByAKilledWriter(tempDir());
    await checkpointWal({ dbFile: db });
    // A live connection (as DynamoDB Local's would be): it has committed a row to the log and holds a
    // read transaction, while its shell waits on stdin.
    const writer = spawn('sqlite3', ['-batch', db], { stdio: ['pipe', 'pipe', 'inherit'] });
    writer.stdin.write("INSERT INTO t VALUES (201, 'x'); BEGIN; SELECT 'ready', count(*) FROM t;\n");
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    try {
      const result = await checkpointWal({ dbFile: db });
      expect(result.logBytesAfter).toBeGreaterThan(0);
    } finally {
      writer.stdin.end('COMMIT;\n');
      await new Promise((resolve) => writer.once('exit', resolve));
    }
    expect(sqlite(db, 'SELECT count(*) FROM t;')).toBe('201');
  });

  it('reports a file that is not a database, and changes nothing', async () => {
    const dir = tempDir();
    const bogus = join(dir, 'bogus.db');
    writeFileSync(bogus, 'not a database at all: '.repeat(20));
    const size = statSync(bogus).size;
    await expect(checkpointWal({ dbFile: bogus })).rejects.toThrow(/sqlite3 could not checkpoint/);
    expect(statSync(bogus).size).toBe(size);
  });
});
