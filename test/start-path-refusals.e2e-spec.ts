// What the hub says at start when a path the school gave it (HUB_DATA_DIR, HUB_DB, HUB_CA_DIR,
// HUB_TLS_CERT and HUB_TLS_KEY, HUB_AUP_FILE, HUB_STORE_DIR) is one its user may not read or
// write, is not there, is a folder where a file belongs (or the reverse), or is on a full disk:
// one line naming the setting, the path and the reason in words, never an errno with Nest's
// stack trace. The specs run as root, whom file modes do not stop, so the permission cases run
// the compiled hub as `nobody` (support/other-user.ts); a full disk is a small tmpfs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, loadHubConfig } from '../apps/hub/src/config/hub-config';
import { ADMIN_PASSWORD, makeDataDir } from './support/hub';
import { mountFullDisk, onFullDisk } from './support/full-disk';
import { freePort, startHubProcess, stopHubProcess } from './support/hub-process';
import { asOtherUser, giveTo, OTHER_USER, runEntryPoint } from './support/other-user';

const USER = OTHER_USER.name;
const MAY_NOT_READ = `this user (${USER}) may not read it: give ${USER} read permission on it`;
/** A line of a stack trace, in what the hub wrote. */
const STACK_LINE = /\n\s+at .*\.(ts|js):\d+/;

// A hub that starts instead of refusing is killed after this long, and the test fails.
const START_TIMEOUT_MS = 45_000;

describe('starting the hub with paths it cannot use', () => {
  const folders: string[] = [];

  function folder(): string {
    const dir = makeDataDir();
    folders.push(dir);
    return dir;
  }

  afterAll(() => {
    for (const dir of folders) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  async function start(env: Record<string, string>, otherUser = false) {
    const run = await runEntryPoint(
      'apps/hub/src/main.ts',
      [],
      {
        HUB_PORT: String(await freePort()),
        HUB_HOST: '127.0.0.1',
        HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
        HUB_PASSWORD_HASH: 'minimum',
        HUB_LOG_LEVEL: 'warn',
        ...env,
      },
      { otherUser, timeoutMs: START_TIMEOUT_MS },
    );
    expect(run.out + run.err).not.toMatch(STACK_LINE);
    return run;
  }

  /** What loadHubConfig, which the hub's start calls first, refuses `env` with. */
  function configProblem(env: Record<string, string>): string {
    try {
      loadHubConfig({ HUB_DATA_DIR: folder(), ...env });
      return 'accepted';
    } catch (error) {
      return error instanceof ConfigError ? error.message : String(error);
    }
  }

  it(
    'says HUB_DATA_DIR is a file, in one line without a stack trace',
    async () => {
      const file = path.join(folder(), 'data');
      fs.writeFileSync(file, 'a file');
      expect(await start({ HUB_DATA_DIR: file })).toMatchObject({
        code: 1,
        err: `The hub could not start: HUB_DATA_DIR: cannot make the folder ${file}: it is a file, not a folder\n`,
      });
    },
    START_TIMEOUT_MS,
  );

  it(
    'says which part of HUB_DATA_DIR is a file',
    async () => {
      const file = path.join(folder(), 'data');
      fs.writeFileSync(file, 'a file');
      const under = path.join(file, 'hub');
      expect(await start({ HUB_DATA_DIR: under })).toMatchObject({
        code: 1,
        err: `The hub could not start: HUB_DATA_DIR: cannot make the folder ${under}: ${file} is a file, not a folder\n`,
      });
    },
    START_TIMEOUT_MS,
  );

  it(
    'says HUB_DB is a folder, not a file',
    async () => {
      const dir = folder();
      expect(await start({ HUB_DATA_DIR: folder(), HUB_DB: `sqlite:${dir}` })).toMatchObject({
        code: 1,
        err: `The hub could not start: HUB_DB: cannot open ${dir}: it is a folder, not a file\n`,
      });
    },
    START_TIMEOUT_MS,
  );

  it(
    'says HUB_CA_DIR is a file, not a folder',
    async () => {
      const file = path.join(folder(), 'ca');
      fs.writeFileSync(file, 'a file');
      expect(await start({ HUB_DATA_DIR: folder(), HUB_CA_DIR: file })).toMatchObject({
        code: 1,
        err: `The hub could not start: HUB_CA_DIR: cannot use ${file}: it is a file, not a folder\n`,
      });
    },
    START_TIMEOUT_MS,
  );

  it('says a TLS file that is a folder in words, not as EISDIR', () => {
    const dir = folder();
    const cert = path.join(dir, 'cert.pem');
    fs.writeFileSync(cert, 'read before it is parsed');
    expect(configProblem({ HUB_TLS_CERT: dir, HUB_TLS_KEY: cert })).toBe(
      `HUB_TLS_CERT: cannot read ${dir}: it is a folder, not a file`,
    );
  });

  it("says which part of a TLS file's path is a file, not ENOTDIR", () => {
    const cert = path.join(folder(), 'cert.pem');
    fs.writeFileSync(cert, 'read before it is parsed');
    const key = path.join(cert, 'key.pem');
    expect(configProblem({ HUB_TLS_CERT: cert, HUB_TLS_KEY: key })).toBe(
      `HUB_TLS_KEY: cannot read ${key}: ${cert} is a file, not a folder`,
    );
  });

  it(
    'says HUB_AUP_FILE is a folder',
    async () => {
      const dir = folder();
      expect(await start({ HUB_DATA_DIR: folder(), HUB_AUP_FILE: dir })).toMatchObject({
        code: 1,
        err: `The hub could not start: HUB_AUP_FILE: cannot read ${dir}: it is a folder, not a file\n`,
      });
    },
    START_TIMEOUT_MS,
  );

  it(
    'says there is no HUB_AUP_FILE',
    async () => {
      const missing = path.join(folder(), 'aup.txt');
      expect(await start({ HUB_DATA_DIR: folder(), HUB_AUP_FILE: missing })).toMatchObject({
        code: 1,
        err: `The hub could not start: HUB_AUP_FILE: cannot read ${missing}: there is no file there\n`,
      });
    },
    START_TIMEOUT_MS,
  );

  it(
    'logs a HUB_STORE_DIR that is a file by its path and in words',
    async () => {
      const file = path.join(folder(), 'store');
      fs.writeFileSync(file, 'a file');
      const hub = await startHubProcess(folder(), await freePort(), {
        env: { HUB_STORE_DIR: file, HUB_LOG_LEVEL: 'warn' },
      });
      try {
        const said = `The photo store ${file} (HUB_STORE_DIR) is unavailable: it is a file, not a folder; photos wait in staging`;
        const deadline = Date.now() + 20_000;
        while (!hub.stdout().includes(said) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(hub.stdout()).toContain(said);
      } finally {
        await stopHubProcess(hub.child);
      }
    },
    START_TIMEOUT_MS,
  );

  asOtherUser('run as a user the paths are not for', () => {
    it(
      'says HUB_DATA_DIR cannot be made where this user may not write',
      async () => {
        const parent = folder();
        fs.chmodSync(parent, 0o755); // root's: nobody may look, not write
        const dataDir = path.join(parent, 'data');
        expect(await start({ HUB_DATA_DIR: dataDir }, true)).toMatchObject({
          code: 1,
          err: `The hub could not start: HUB_DATA_DIR: cannot make the folder ${dataDir}: this user (${USER}) may not write in ${parent}: give ${USER} write permission on it\n`,
        });
      },
      START_TIMEOUT_MS,
    );

    it(
      "says a HUB_DATA_DIR that is another user's must be given to the hub's user",
      async () => {
        const dataDir = folder();
        fs.chmodSync(dataDir, 0o755);
        expect(await start({ HUB_DATA_DIR: dataDir }, true)).toMatchObject({
          code: 1,
          err: `The hub could not start: HUB_DATA_DIR: cannot make ${dataDir} readable by this user only: it belongs to another user than ${USER}, the user this runs as: give it to ${USER} (chown)\n`,
        });
      },
      START_TIMEOUT_MS,
    );

    it(
      'says the CA key in HUB_CA_DIR may not be read, naming it',
      async () => {
        const dataDir = folder();
        giveTo(dataDir);
        // Root's CA folder, which nobody may look in but whose key only root may read: the key
        // is read before it is parsed, so its text need not be a real key.
        const caParent = folder();
        const caDir = path.join(caParent, 'ca');
        fs.mkdirSync(caDir, { mode: 0o755 });
        fs.chmodSync(caParent, 0o755);
        fs.writeFileSync(path.join(caDir, 'ca.key.pem'), 'root only', { mode: 0o600 });
        fs.writeFileSync(path.join(caDir, 'ca.cert.pem'), 'anyone', { mode: 0o644 });
        const key = path.join(caDir, 'ca.key.pem');
        expect(await start({ HUB_DATA_DIR: dataDir, HUB_CA_DIR: caDir }, true)).toMatchObject({
          code: 1,
          err: `The hub could not start: HUB_CA_DIR: cannot read ${key}: ${MAY_NOT_READ}\n`,
        });
      },
      START_TIMEOUT_MS,
    );

    /** Root's files in a folder nobody may look in, and a data dir that is nobody's. */
    function rootsFiles() {
      const files = folder();
      fs.chmodSync(files, 0o755);
      const cert = path.join(files, 'cert.pem');
      const key = path.join(files, 'key.pem');
      const aup = path.join(files, 'aup.txt');
      fs.writeFileSync(cert, 'read before it is parsed', { mode: 0o644 });
      fs.writeFileSync(key, 'secret key text', { mode: 0o600 });
      fs.writeFileSync(aup, 'Be kind.\n', { mode: 0o600 });
      const dataDir = folder();
      giveTo(dataDir);
      return { cert, key, aup, dataDir };
    }

    it(
      'says HUB_TLS_KEY may not be read, what to do, and not its text',
      async () => {
        const { cert, key, dataDir } = rootsFiles();
        const run = await start(
          { HUB_DATA_DIR: dataDir, HUB_TLS_CERT: cert, HUB_TLS_KEY: key },
          true,
        );
        expect(run).toMatchObject({
          code: 1,
          err: `The hub could not start: HUB_TLS_KEY: cannot read ${key}: ${MAY_NOT_READ}\n`,
        });
        expect(run.out + run.err).not.toContain('secret key text');
      },
      START_TIMEOUT_MS,
    );

    it(
      'says HUB_AUP_FILE may not be read',
      async () => {
        const { aup, dataDir } = rootsFiles();
        expect(await start({ HUB_DATA_DIR: dataDir, HUB_AUP_FILE: aup }, true)).toMatchObject({
          code: 1,
          err: `The hub could not start: HUB_AUP_FILE: cannot read ${aup}: ${MAY_NOT_READ}\n`,
        });
      },
      START_TIMEOUT_MS,
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

    it('ends at once with one line naming the hub database and its full disk, not SQLITE_FULL', async () => {
      const dataDir = path.join(disk, 'data');
      const started = Date.now();
      const run = await runEntryPoint(
        'apps/hub/src/main.ts',
        [],
        {
          HUB_DATA_DIR: dataDir,
          HUB_PORT: '0',
          HUB_HOST: '127.0.0.1',
          HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
          HUB_PASSWORD_HASH: 'minimum',
          HUB_LOG_LEVEL: 'silent',
        },
        { timeoutMs: 90_000 },
      );
      const took = Date.now() - started;
      expect(run.code).toBe(1);
      expect(run.err.split('\n').slice(-2)).toEqual([
        `The hub could not start: HUB_DATA_DIR: cannot write ${path.join(dataDir, 'hub.sqlite')}: the disk it is on is full: free some space there`,
        '',
      ]);
      // A full disk is not mended by trying again: no 30 s of TypeORM's retries before the line
      // (a start that refuses at once takes a few seconds here, most of it loading Node modules).
      expect(took).toBeLessThan(10_000);
    }, 100_000);
  });
});
