// What `npm run admin -- backup | restore | copy-to-postgres | reset-password` say when a path the
// person gave (the file on the command line, HUB_DATA_DIR, HUB_DB, HUB_CA_DIR, HUB_AUP_FILE) is
// one this user may not read or write, is not there, is a folder where a file belongs (or the
// reverse), or is on a full disk: the path and the reason in words, with what to do, never a bare
// errno, a SQLite code, a work folder or nothing at all. The specs run as root, whom file modes
// do not stop, so the permission cases run the compiled CLI as `nobody` (support/other-user.ts);
// a full disk is a small tmpfs mounted for the spec.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAdminHere as admin } from './support/admin';
import { makeDataDir, startHub } from './support/hub';
import { freePort } from './support/hub-process';
import { mountFullDisk, onFullDisk } from './support/full-disk';
import { asOtherUser, giveTo, OTHER_USER, runEntryPoint } from './support/other-user';
import { sqliteOnly } from './support/test-database';

const USER = OTHER_USER.name;
const MAY_NOT_READ = `this user (${USER}) may not read it: give ${USER} read permission on it`;

sqliteOnly('backup, restore and copy-to-postgres work on the SQLite file')(
  'admin commands and the paths they are given',
  () => {
    const folders: string[] = [];
    let hubData: string;
    let backupFile: string;

    function folder(): string {
      const dir = makeDataDir();
      folders.push(dir);
      return dir;
    }

    /** A copy of a stopped hub's data dir (hub.sqlite, ca/), in a new folder of its own. */
    function hubCopy(): string {
      const dir = path.join(folder(), 'data');
      fs.cpSync(hubData, dir, { recursive: true });
      return dir;
    }

    /** The compiled CLI run as OTHER_USER, in a HUB_DATA_DIR that user owns unless told. */
    async function adminAsOther(args: string[], env: Record<string, string>) {
      return runEntryPoint(
        'apps/hub/src/admin.ts',
        args,
        { HUB_LOG_LEVEL: 'silent', HUB_PORT: String(await freePort()), ...env },
        { otherUser: true },
      );
    }

    beforeAll(async () => {
      const hub = await startHub();
      hubData = hub.dataDir;
      folders.push(hubData);
      await hub.close();
      backupFile = path.join(folder(), 'hub.tar.gz');
      expect((await admin(['backup', backupFile], { HUB_DATA_DIR: hubData })).code).toBe(0);
    });

    afterAll(() => {
      for (const dir of folders) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    asOtherUser('run as a user the files are not for', () => {
      it('restore says the backup file may not be read, not that it is damaged', async () => {
        const file = path.join(folder(), 'hub.tar.gz');
        fs.copyFileSync(backupFile, file);
        fs.chmodSync(file, 0o600); // root's, and not for nobody
        fs.chmodSync(path.dirname(file), 0o755);
        const target = folder();
        giveTo(target);
        const run = await adminAsOther(['restore', file], { HUB_DATA_DIR: target });
        expect(run).toEqual({
          code: 1,
          out: '',
          err: `Cannot read the backup file ${file}: ${MAY_NOT_READ}\n`,
        });
        expect(fs.readdirSync(target)).toEqual([]);
      });

      it('restore names the folder it may not open, not "there is no backup file"', async () => {
        const closed = folder(); // 0700, root's
        const file = path.join(closed, 'hub.tar.gz');
        fs.copyFileSync(backupFile, file);
        const target = folder();
        giveTo(target);
        const run = await adminAsOther(['restore', file], { HUB_DATA_DIR: target });
        expect(run.code).toBe(1);
        expect(run.err).toBe(
          `Cannot read the backup file ${file}: this user (${USER}) may not open the folder ${closed}: give ${USER} permission to open it\n`,
        );
      });

      it('restore says it may not write where HUB_DB is, names it, and changes nothing', async () => {
        const dataDir = folder();
        giveTo(dataDir);
        const dbFolder = folder();
        fs.chmodSync(dbFolder, 0o755); // root's: nobody may look, not write
        const db = path.join(dbFolder, 'hub.sqlite');
        fs.writeFileSync(db, 'the hub database as it was');
        const readable = path.join(folder(), 'hub.tar.gz');
        fs.copyFileSync(backupFile, readable);
        giveTo(path.dirname(readable));
        const run = await adminAsOther(['restore', readable], {
          HUB_DATA_DIR: dataDir,
          HUB_DB: `sqlite:${db}`,
        });
        expect(run.code).toBe(1);
        expect(run.out).toBe('');
        expect(run.err).toBe(
          `Cannot restore ${db}: this user (${USER}) may not write in ${dbFolder}: give ${USER} write permission on it. Nothing was changed.\n`,
        );
        expect(run.err).not.toMatch(/\.restore-|EACCES/);
        expect(fs.readFileSync(db, 'utf8')).toBe('the hub database as it was');
        expect(fs.readdirSync(dbFolder)).toEqual(['hub.sqlite']);
        expect(fs.readdirSync(dataDir)).toEqual([]);
      });

      it('restore says why the audit entry could not be written after the files are in place', async () => {
        const dataDir = folder();
        // A file in the data dir that is root's: the hub's start would refuse it as well.
        fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'root put this here');
        fs.chownSync(dataDir, OTHER_USER.uid, OTHER_USER.gid);
        const readable = path.join(folder(), 'hub.tar.gz');
        fs.copyFileSync(backupFile, readable);
        giveTo(path.dirname(readable));
        const run = await adminAsOther(['restore', readable], { HUB_DATA_DIR: dataDir });
        expect(run.code).toBe(1);
        expect(run.out).toMatch(/^Restored the backup /);
        expect(run.err).toBe(
          `The files are restored, but hub.restored could not be written to its audit log: HUB_DATA_DIR: cannot make ${path.join(dataDir, 'notes.txt')} readable by this user only: it belongs to another user than ${USER}, the user this runs as: give it to ${USER} (chown)\n`,
        );
      });

      it('backup says the hub database may not be read, naming it', async () => {
        const dataDir = hubCopy();
        giveTo(path.dirname(dataDir));
        const db = path.join(dataDir, 'hub.sqlite');
        fs.chownSync(db, 0, 0);
        const out = folder();
        giveTo(out);
        const run = await adminAsOther(['backup', path.join(out, 'hub.tar.gz')], {
          HUB_DATA_DIR: dataDir,
        });
        expect(run).toEqual({
          code: 1,
          out: '',
          err: `Cannot read the hub database ${db}: ${MAY_NOT_READ}\n`,
        });
        expect(fs.readdirSync(out)).toEqual([]);
      });

      it("backup says the CA's key may not be read, naming it, not the work folder", async () => {
        const dataDir = hubCopy();
        giveTo(path.dirname(dataDir));
        const key = path.join(dataDir, 'ca', 'ca.key.pem');
        fs.chownSync(key, 0, 0);
        const out = folder();
        giveTo(out);
        const run = await adminAsOther(['backup', path.join(out, 'hub.tar.gz')], {
          HUB_DATA_DIR: dataDir,
        });
        expect(run.code).toBe(1);
        expect(run.err).toBe(`Cannot read the hub CA file ${key}: ${MAY_NOT_READ}\n`);
        expect(fs.readdirSync(out)).toEqual([]);
      });

      it('backup warns in words when HUB_AUP_FILE may not be read', async () => {
        const dataDir = hubCopy();
        giveTo(path.dirname(dataDir));
        const aup = path.join(folder(), 'aup.txt');
        fs.writeFileSync(aup, 'Be kind.\n', { mode: 0o600 });
        fs.chmodSync(path.dirname(aup), 0o755);
        const out = folder();
        giveTo(out);
        const run = await adminAsOther(['backup', path.join(out, 'hub.tar.gz')], {
          HUB_DATA_DIR: dataDir,
          HUB_AUP_FILE: aup,
        });
        expect(run.code).toBe(0);
        expect(run.err).toBe(
          `Warning: HUB_AUP_FILE (${aup}) could not be read, so its text is not in the backup: ${MAY_NOT_READ}\n`,
        );
      });

      it('copy-to-postgres says the hub database may not be read, not that it is not SQLite', async () => {
        const dataDir = hubCopy();
        giveTo(path.dirname(dataDir));
        const db = path.join(dataDir, 'hub.sqlite');
        fs.chownSync(db, 0, 0);
        const run = await adminAsOther(
          ['copy-to-postgres', 'postgres://hub:secret-pw@127.0.0.1:1/hub_copy'],
          { HUB_DATA_DIR: dataDir },
        );
        expect(run).toEqual({
          code: 1,
          out: '',
          err: `Cannot read the hub database ${db}: ${MAY_NOT_READ}\n`,
        });
      });

      /** Root's data dir, readable by all, and a CA the other user may read. */
      function readOnlyHub() {
        const dataDir = hubCopy();
        fs.chmodSync(path.dirname(dataDir), 0o755);
        fs.chmodSync(dataDir, 0o755);
        const db = path.join(dataDir, 'hub.sqlite');
        fs.chmodSync(db, 0o644);
        const caDir = path.join(folder(), 'ca');
        fs.cpSync(path.join(dataDir, 'ca'), caDir, { recursive: true });
        giveTo(path.dirname(caDir));
        return {
          env: { HUB_DATA_DIR: dataDir, HUB_CA_DIR: caDir },
          // SQLite writes its -shm file beside a database in WAL mode even to read it.
          refusal: `Cannot read the hub database ${db}: SQLite writes beside it even to read it, and this user (${USER}) may not write in ${dataDir}: give ${USER} write permission on it\n`,
        };
      }

      it('backup says SQLite must write beside a database this user may only read', async () => {
        const { env, refusal } = readOnlyHub();
        const out = folder();
        giveTo(out);
        const run = await adminAsOther(['backup', path.join(out, 'hub.tar.gz')], env);
        expect(run).toEqual({ code: 1, out: '', err: refusal });
        expect(fs.readdirSync(out)).toEqual([]);
      });

      it('copy-to-postgres says SQLite must write beside a database this user may only read, not that it is damaged', async () => {
        const { env, refusal } = readOnlyHub();
        const run = await adminAsOther(
          ['copy-to-postgres', 'postgres://hub:secret-pw@127.0.0.1:1/hub_copy'],
          env,
        );
        expect(run).toEqual({ code: 1, out: '', err: refusal });
      });

      it('reset-password says why it cannot use the data dir instead of exiting with nothing said', async () => {
        const dataDir = hubCopy();
        giveTo(path.dirname(dataDir));
        const db = path.join(dataDir, 'hub.sqlite');
        fs.chownSync(db, 0, 0);
        const run = await adminAsOther(['reset-password', 'admin'], { HUB_DATA_DIR: dataDir });
        expect(run.code).toBe(1);
        expect(run.out).toBe('');
        expect(run.err).toBe(
          `HUB_DATA_DIR: cannot make ${db} readable by this user only: it belongs to another user than ${USER}, the user this runs as: give it to ${USER} (chown)\n`,
        );
      });
    });

    it('restore of a path through a file names the file that is not a folder', async () => {
      const file = path.join(backupFile, 'hub.tar.gz');
      const run = await admin(['restore', file], {
        HUB_DATA_DIR: folder(),
        HUB_PORT: String(await freePort()),
      });
      expect(run.code).toBe(1);
      expect(run.err).toBe(
        `Cannot read the backup file ${file}: ${backupFile} is a file, not a folder\n`,
      );
    });

    describe('with HUB_DB naming a folder', () => {
      let env: Record<string, string>;
      let refusal: string;

      beforeAll(() => {
        const dir = folder();
        env = { HUB_DATA_DIR: hubData, HUB_DB: `sqlite:${dir}` };
        refusal = `Cannot read the hub database ${dir}: it is a folder, not a file\n`;
      });

      it('backup says it is a folder, not a file', async () => {
        const out = folder();
        const run = await admin(['backup', path.join(out, 'hub.tar.gz')], env);
        expect(run).toEqual({ code: 1, out: '', err: refusal });
        expect(fs.readdirSync(out)).toEqual([]);
      });

      it('copy-to-postgres says it is a folder, not a damaged database', async () => {
        const run = await admin(['copy-to-postgres', 'postgres://hub@127.0.0.1:1/hub_copy'], {
          ...env,
          HUB_PORT: String(await freePort()),
        });
        expect(run).toEqual({ code: 1, out: '', err: refusal });
      });

      it('reset-password says it is a folder instead of exiting with nothing said', async () => {
        // The compiled CLI: the old refusal was Nest ending the process, which Jest would not.
        const run = await runEntryPoint('apps/hub/src/admin.ts', ['reset-password', 'admin'], {
          ...env,
          HUB_LOG_LEVEL: 'silent',
        });
        expect(run).toEqual({ code: 1, out: '', err: refusal });
      });
    });

    it('backup says HUB_CA_DIR is a file, not that the hub has never started', async () => {
      const notAFolder = path.join(folder(), 'ca');
      fs.writeFileSync(notAFolder, 'not a folder');
      const out = folder();
      const run = await admin(['backup', path.join(out, 'hub.tar.gz')], {
        HUB_DATA_DIR: hubData,
        HUB_CA_DIR: notAFolder,
      });
      expect(run).toEqual({
        code: 1,
        out: '',
        err: `Cannot read the hub CA in ${notAFolder}: it is a file, not a folder\n`,
      });
      expect(fs.readdirSync(out)).toEqual([]);
    });

    it('backup refuses a CA key that is a folder instead of making a backup without it', async () => {
      const dataDir = hubCopy();
      const key = path.join(dataDir, 'ca', 'ca.key.pem');
      fs.rmSync(key);
      fs.mkdirSync(key);
      const out = folder();
      const run = await admin(['backup', path.join(out, 'hub.tar.gz')], { HUB_DATA_DIR: dataDir });
      expect(run).toEqual({
        code: 1,
        out: '',
        err: `Cannot read the hub CA file ${key}: it is a folder, not a file\n`,
      });
      expect(fs.readdirSync(out)).toEqual([]);
    });

    it('backup warns in words when HUB_AUP_FILE is a folder', async () => {
      const aup = folder();
      const run = await admin(['backup', path.join(folder(), 'hub.tar.gz')], {
        HUB_DATA_DIR: hubData,
        HUB_AUP_FILE: aup,
      });
      expect(run.code).toBe(0);
      expect(run.err).toBe(
        `Warning: HUB_AUP_FILE (${aup}) could not be read, so its text is not in the backup: it is a folder, not a file\n`,
      );
    });

    onFullDisk('on a full disk', () => {
      let disk: string;
      let unmount: () => void;

      beforeAll(() => {
        disk = folder();
        unmount = mountFullDisk(disk);
      });

      afterAll(() => unmount());

      // The compiled CLI, as ICT runs it: in the spec's own process tar's errors lose their
      // errno (it tells an Error by instanceof, which fails across Jest's module realms).
      async function adminProcess(args: string[], env: Record<string, string>) {
        return runEntryPoint('apps/hub/src/admin.ts', args, {
          HUB_LOG_LEVEL: 'silent',
          HUB_PORT: String(await freePort()),
          ...env,
        });
      }

      it('restore says the disk of HUB_DATA_DIR is full, not that the backup is unreadable', async () => {
        const dataDir = path.join(disk, 'data');
        const run = await adminProcess(['restore', backupFile], { HUB_DATA_DIR: dataDir });
        expect(run).toEqual({
          code: 1,
          out: '',
          err: `Cannot restore into ${dataDir} (HUB_DATA_DIR): the disk it is on is full: free some space there\n`,
        });
        expect(fs.readdirSync(dataDir)).toEqual([]);
      });

      it('backup says the disk it writes to is full, naming the folder', async () => {
        const run = await adminProcess(['backup', path.join(disk, 'hub.tar.gz')], {
          HUB_DATA_DIR: hubData,
        });
        expect(run).toEqual({
          code: 1,
          out: '',
          err: `Cannot write the backup in ${disk}: the disk it is on is full: free some space there\n`,
        });
        expect(fs.readdirSync(disk).filter((name) => !['data', 'filler'].includes(name))).toEqual(
          [],
        );
      });
    });
  },
);
