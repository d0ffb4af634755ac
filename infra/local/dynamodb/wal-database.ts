/**
 * DynamoDB Local keeps its tables in one SQLite file (`shared-local-instance.db` with `-sharedDb`)
 * and never sets a journal mode, so SQLite's default applies: a rollback journal, which on every
 * write creates `-journal`, syncs it, writes the database, syncs it and deletes the journal. In WAL
 * mode a commit appends to `-wal` and syncs once, and readers never wait for a writer.
 *
 * WAL mode is persistent: it is recorded in the file header (bytes 18 and 19 = 2), and SQLite
 * opens such a file in WAL mode whoever opens it. So before DynamoDB Local first creates its
 * file, we write an empty one-page database whose header says WAL — exactly what
 * `sqlite3 x.db 'PRAGMA journal_mode=WAL'` leaves behind for a new file (SQLite 3.40.1, compared
 * byte for byte in the unit test). Durability is unchanged: SQLite still syncs every commit (its
 * default `synchronous=FULL`), so the store is on disk, as the benchmark requires.
 *
 * An existing file is left as it is (it may be in either mode; both work).
 *
 * DynamoDB Local never checkpoints the log; wal-checkpointer.ts folds it into the file at every
 * start and stop of the store.
 */
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The file DynamoDB Local uses with `-sharedDb`. */
export const SHARED_DB_FILE = 'shared-local-instance.db';

const PAGE_SIZE = 4096;

/** An empty SQLite database (one page, no tables) in WAL mode. Format: sqlite.org/fileformat2.html. */
export function emptyWalDatabase(): Buffer {
  const page = Buffer.alloc(PAGE_SIZE);
  page.write('SQLite format 3\0', 0, 'latin1'); // magic
  page.writeUInt16BE(PAGE_SIZE, 16); // page size
  page.writeUInt8(2, 18); // file format write version: 2 = WAL
  page.writeUInt8(2, 19); // file format read version: 2 = WAL
  page.writeUInt8(0, 20); // reserved bytes per page
  page.writeUInt8(64, 21); // max embedded payload fraction (must be 64)
  page.writeUInt8(32, 22); // min embedded payload fraction (must be 32)
  page.writeUInt8(32, 23); // leaf payload fraction (must be 32)
  page.writeUInt32BE(1, 24); // file change counter
  page.writeUInt32BE(1, 28); // database size in pages
  page.writeUInt32BE(1, 92); // version-valid-for: equals the change counter, so the size above is trusted
  page.writeUInt32BE(3_040_001, 96); // SQLITE_VERSION_NUMBER that last wrote the file
  // Page 1's b-tree header (after the 100-byte file header): an empty table leaf (sqlite_schema).
  page.writeUInt8(0x0d, 100); // table b-tree leaf page
  page.writeUInt16BE(0, 101); // first freeblock: none
  page.writeUInt16BE(0, 103); // cells: 0
  page.writeUInt16BE(PAGE_SIZE, 105); // cell content area starts at the end of the page
  page.writeUInt8(0, 107); // fragmented free bytes
  return page;
}

/**
 * Makes DynamoDB Local's shared database in `dataDir` start in WAL mode, if the file does not exist
 * yet. Returns whether it wrote the file. `wx`: never overwrites a file created meanwhile.
 */
export function prepareWalDatabase(dataDir: string): boolean {
  const path = join(dataDir, SHARED_DB_FILE);
  if (existsSync(path)) return false;
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, emptyWalDatabase());
  } finally {
    closeSync(fd);
  }
  return true;
}
