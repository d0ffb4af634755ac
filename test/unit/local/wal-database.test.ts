import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyWalDatabase, prepareWalDatabase, SHARED_DB_FILE } from '../../../infra/local/dynamodb/wal-database.js';

/** What SQLite 3.40.1 (Python's sqlite3) wrote for a new file after `PRAGMA journal_mode=WAL`: its first 108 bytes; the rest of the page is zeros. */
const SQLITE_WROTE =
  '53514c69746520666f726d61742033001000020200402020000000010000000100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001002e63010d00000000100000';

describe('the WAL-mode database file for DynamoDB Local', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'ev-wal-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is byte for byte the page SQLite itself writes for an empty WAL database', () => {
    const page = emptyWalDatabase();
    expect(page.length).toBe(4096);
    expect(page.subarray(0, 108).toString('hex')).toBe(SQLITE_WROTE);
    expect(page.subarray(108).every((b) => b === 0)).toBe(true);
  });

  it('is written once, into a new directory only', () => {
    const dir = tempDir();
    expect(prepareWalDatabase(dir)).toBe(true);
    expect(readFileSync(join(dir, SHARED_DB_FILE))).toEqual(emptyWalDatabase());
    expect(prepareWalDatabase(dir)).toBe(false);
  });

  it('leaves an existing store alone, whatever its mode', () => {
    const dir = tempDir();
    const existing = Buffer.from('an existing database');
    writeFileSync(join(dir, SHARED_DB_FILE), existing);
    expect(prepareWalDatabase(dir)).toBe(false);
    expect(readFileSync(join(dir, SHARED_DB_FILE))).toEqual(existing);
  });
});
