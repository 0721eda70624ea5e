// What `npm run admin -- restore FILE` and `backup FILE` say when a database is damaged: the file
// the person named (or the hub's own database), never the folder the backup is unpacked or made
// in, which is gone by the time the message is read.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sqlite3 from 'sqlite3';
import * as tar from 'tar';
import { runAdminHere as admin } from './support/admin';
import { BackupManifest, fileChecksum, writeArchive } from '../apps/hub/src/backup/backup-archive';
import { makeDataDir, startHub } from './support/hub';
import { freePort } from './support/hub-process';
import { sqliteOnly } from './support/test-database';

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Overwrites the middle of a SQLite file with junk: SQLite opens it, its check fails. */
function damagePages(file: string): void {
  const bytes = fs.readFileSync(file);
  const page = 4096;
  const pages = Math.floor(bytes.length / page);
  for (let p = 2; p < pages; p += 2) {
    bytes.fill(0x5a, p * page, p * page + 64);
  }
  fs.writeFileSync(file, bytes);
}

/** The root page numbers (1-based) of these tables in a SQLite file, read by SQLite itself. */
function rootPagesOf(file: string, tables: readonly string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (opened) => {
      if (opened) {
        reject(opened);
        return;
      }
      db.all<{ rootpage: number }>(
        `SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name IN (${tables.map(() => '?').join(', ')})`,
        tables,
        (error, rows) => {
          db.close();
          if (error) {
            reject(error);
          } else {
            resolve(rows.map((row) => row.rootpage));
          }
        },
      );
    });
  });
}

sqliteOnly('backup and restore copy the SQLite file')('refusals of a damaged database', () => {
  const folders: string[] = [];
  let dataDir: string;
  let backupFile: string;

  function folder(): string {
    const dir = makeDataDir();
    folders.push(dir);
    return dir;
  }

  beforeAll(async () => {
    const hub = await startHub();
    dataDir = hub.dataDir;
    folders.push(dataDir);
    await hub.close();
    backupFile = path.join(folder(), 'hub.tar.gz');
    const made = await admin(['backup', backupFile], { HUB_DATA_DIR: dataDir });
    expect(made.code).toBe(0);
  });

  afterAll(() => {
    for (const dir of folders) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A copy of the backup with its hub.sqlite changed and its manifest made to match again. */
  async function forged(change: (db: string) => void): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-forge-'));
    folders.push(dir);
    await tar.extract({ file: backupFile, cwd: dir });
    change(path.join(dir, 'hub.sqlite'));
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
    for (const name of Object.keys(manifest.files)) {
      manifest.files[name] = await fileChecksum(path.join(dir, name));
    }
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const members = ['manifest.json', ...Object.keys(manifest.files)];
    const out = path.join(folder(), 'forged.tar.gz');
    await writeArchive(dir, members, out);
    return out;
  }

  it.each([
    ['cut in half', (db: string) => fs.truncateSync(db, Math.floor(fs.statSync(db).size / 2))],
    ['with damaged pages', damagePages],
    ['that is not SQLite', (db: string) => fs.writeFileSync(db, 'not a database\n'.repeat(500))],
    ['that is empty', (db: string) => fs.writeFileSync(db, '')],
  ])(
    'a restore of a backup whose hub.sqlite is %s names the backup file',
    async (_what, change) => {
      const file = await forged(change);
      const target = folder();
      const run = await admin(['restore', file], {
        HUB_DATA_DIR: target,
        HUB_PORT: String(await freePort()),
      });
      expect(run.code).toBe(1);
      expect(run.out).toBe('');
      expect(run.err).toMatch(new RegExp(`^${escaped(file)}: its hub\\.sqlite `));
      expect(run.err).not.toMatch(/\.restore-/);
      expect(run.err.split(file).join('')).not.toContain(os.tmpdir());
      expect(run.err.trimEnd().split('\n')).toHaveLength(1);
      expect(fs.readdirSync(target)).toEqual([]);
    },
  );

  it("a backup of a damaged hub database names that database, not the backup's work folder", async () => {
    const damaged = folder();
    fs.cpSync(dataDir, damaged, { recursive: true });
    // Cell contents, not page headers: SQLite copies the pages, and its check finds them wrong.
    // The pages are the root pages of tables that hold rows, not the file's last pages, which a
    // migration that rebuilds a table leaves free (and a free page is never checked).
    const db = path.join(damaged, 'hub.sqlite');
    const roots = await rootPagesOf(db, ['migrations', 'staff_accounts', 'audit_log']);
    const bytes = fs.readFileSync(db);
    const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
    for (const root of roots) {
      const start = (root - 1) * pageSize;
      bytes.fill(0xff, start + pageSize - 96, start + pageSize - 6);
    }
    fs.writeFileSync(db, bytes);
    const outDir = folder();
    const file = path.join(outDir, 'from-damaged.tar.gz');
    const run = await admin(['backup', file], { HUB_DATA_DIR: damaged });
    expect(run.code).toBe(1);
    expect(run.err).not.toMatch(/\.hub-backup-/);
    expect(run.err).toContain(path.join(damaged, 'hub.sqlite'));
    expect(fs.readdirSync(outDir)).toEqual([]);
  });

  it('a backup to a folder, even with --force, says to name the file in it and leaves the folder', async () => {
    const outDir = folder();
    fs.writeFileSync(path.join(outDir, 'kept.txt'), 'kept');
    for (const args of [
      ['backup', outDir],
      ['backup', outDir, '--force'],
    ]) {
      const run = await admin(args, { HUB_DATA_DIR: dataDir });
      expect(run.code).toBe(1);
      expect(run.err).toMatch(new RegExp(`^${escaped(outDir)} is a folder: name the backup file`));
      expect(run.err).not.toMatch(/\.hub-backup-|EISDIR/);
      expect(fs.readdirSync(outDir)).toEqual(['kept.txt']);
    }
  });

  it('a backup into a "folder" that is a file names it, not the work folder it could not make', async () => {
    const run = await admin(['backup', path.join(backupFile, 'hub.tar.gz')], {
      HUB_DATA_DIR: dataDir,
    });
    expect(run.code).toBe(1);
    expect(run.err).toBe(`Cannot write the backup in ${backupFile}: it is a file, not a folder\n`);
  });

  it('a restore names a folder given as the backup, and a HUB_DATA_DIR it cannot make', async () => {
    const asFolder = await admin(['restore', folder()], {
      HUB_DATA_DIR: folder(),
      HUB_PORT: String(await freePort()),
    });
    expect(asFolder.code).toBe(1);
    expect(asFolder.err).toMatch(/ is a folder: name the backup file in it\n$/);

    const target = path.join(backupFile, 'data');
    const run = await admin(['restore', backupFile], {
      HUB_DATA_DIR: target,
      HUB_PORT: String(await freePort()),
    });
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `Cannot restore into ${target} (HUB_DATA_DIR): ${backupFile} is a file, not a folder\n`,
    );
  });
});
