// `npm run admin -- backup FILE` and `restore FILE` (issue 9): a real hub process is backed up
// while devices connect and commands are issued and acknowledged, stopped, and restored into a
// fresh data dir; a hub started there has every device, command and audit row the backup
// should hold, and the devices reconnect with the certificates they already have.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sqlite3 from 'sqlite3';
import request from 'supertest';
import * as tar from 'tar';
import { DeviceIdentity, enrollDevice } from '@app/devices';
import { runAdminHere as adminHere } from './support/admin';
import { BackupManifest, fileChecksum, writeArchive } from '../apps/hub/src/backup/backup-archive';
import { acceptAup, ADMIN_PASSWORD, makeDataDir } from './support/hub';
import {
  freePort,
  HubProcess,
  killHubProcess,
  spawnEntryPoint,
  startHubProcess,
  stopHubProcess,
} from './support/hub-process';
import { connectTestDevice, testKeys, TestDevice, waitFor } from './support/devices';
import { sqliteOnly } from './support/test-database';

const ROOT = path.join(__dirname, '..');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** The admin CLI as ICT runs it: its own process, its compiled apps/hub/src/admin.ts. */
function adminProcess(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnEntryPoint('apps/hub/src/admin.ts', args, {
      ...process.env,
      HUB_LOG_LEVEL: 'silent',
      ...env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

type Row = Record<string, unknown> & { id: string };

const describeSqlite = sqliteOnly(
  'they copy the SQLite file; a PostgreSQL hub is backed up with pg_dump',
);

describeSqlite('npm run admin -- backup FILE / restore FILE', () => {
  const children: ChildProcess[] = [];
  const folders: string[] = [];
  const devices: TestDevice[] = [];
  let port: number;
  let restoredDir: string;
  let backupFile: string;
  let hubB: HubProcess;

  function folder(): string {
    const dir = makeDataDir();
    folders.push(dir);
    return dir;
  }

  async function signIn(url: string): Promise<string> {
    const http = request(url);
    const login = await http
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    const bearer = login.body.accessToken as string;
    await acceptAup(http, bearer);
    return bearer;
  }

  /** Every page of a list route, as the API gives it. */
  async function everything(url: string, bearer: string, route: string): Promise<Row[]> {
    const rows: Row[] = [];
    for (let page = 1; ; page++) {
      const response = await request(url)
        .get(route)
        .query({ page, pageSize: 500 })
        .set('Authorization', `Bearer ${bearer}`);
      expect(response.status).toBe(200);
      const items = response.body.items as Row[];
      rows.push(...items);
      if (items.length < 500) {
        return rows;
      }
    }
  }

  async function commandsOf(url: string, bearer: string, deviceIds: string[]): Promise<Row[]> {
    const all: Row[] = [];
    for (const id of deviceIds) {
      all.push(...(await everything(url, bearer, `/api/devices/${id}/commands`)));
    }
    return all;
  }

  afterAll(async () => {
    for (const device of devices) {
      device.client.destroy();
    }
    await Promise.all(children.map(killHubProcess));
    for (const dir of folders) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backs up a hub under load; a hub restored from it has every device, command and audit row, and its devices reconnect', async () => {
    const dataA = folder();
    port = await freePort();
    const hubA = await startHubProcess(dataA, port);
    children.push(hubA.child);
    const url = hubA.url;
    const bearer = await signIn(url);
    const http = request(url);

    const token = await http
      .post('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${bearer}`)
      .send({ maxUses: 100 });
    expect(token.status).toBe(201);
    let serial = 0;
    const enrol = async (): Promise<DeviceIdentity> => {
      serial += 1;
      return enrollDevice({
        hubUrl: url,
        token: token.body.token as string,
        keys: await testKeys(),
        device: {
          serialNumber: `BACKUP-${process.pid}-${serial}`,
          platform: 'linux',
          name: `Laptop ${serial}`,
        },
      });
    };
    const issue = async (deviceId: string, text: string): Promise<string> => {
      const issued = await http
        .post(`/api/devices/${deviceId}/commands`)
        .set('Authorization', `Bearer ${bearer}`)
        .send({ type: 'message.show', payload: { text } });
      expect(issued.status).toBe(201);
      return issued.body.id as string;
    };

    // Before: six devices online, commands answered and one left waiting for an offline device.
    const before: DeviceIdentity[] = [];
    for (let i = 0; i < 6; i++) {
      before.push(await enrol());
    }
    for (const identity of before.slice(0, 5)) {
      devices.push(connectTestDevice(identity));
    }
    const answered: string[] = [];
    for (const identity of before.slice(0, 5)) {
      answered.push(await issue(identity.deviceId, `before ${identity.deviceId}`));
    }
    const waiting = await issue(before[5].deviceId, 'for the offline laptop');
    await waitFor(
      () => devices.every((d) => d.enforcer.messages.some((m) => m.text.startsWith('before '))),
      'every online device to show its message',
      20_000,
    );
    const ids = before.map((d) => d.deviceId);
    const devicesBefore = await everything(url, bearer, '/api/devices');
    const commandsBefore = await commandsOf(url, bearer, ids);
    const auditBefore = await everything(url, bearer, '/api/audit');
    expect(commandsBefore.map((c) => c.id)).toEqual(expect.arrayContaining([...answered, waiting]));
    expect(auditBefore.length).toBeGreaterThan(5);

    // Load while the backup runs: commands issued and acknowledged, devices enrolling,
    // disconnecting and connecting.
    let loading = true;
    const issuedDuring: string[] = [];
    const issuing = async (lane: number) => {
      let n = 0;
      while (loading) {
        const target = before[(lane + n) % 5];
        issuedDuring.push(await issue(target.deviceId, `during ${lane}-${n}`));
        n += 1;
      }
    };
    const churning = async () => {
      let n = 0;
      while (loading) {
        const fresh = connectTestDevice(await enrol());
        devices.push(fresh);
        const flapping = devices[n % 5].client;
        flapping.close();
        await new Promise((resolve) => setTimeout(resolve, 50));
        flapping.connect();
        await new Promise((resolve) => setTimeout(resolve, 150));
        n += 1;
      }
    };
    const load = Promise.all([issuing(0), issuing(1), churning()]);
    backupFile = path.join(folder(), 'hub-backup.tar.gz');
    const backedUp = await adminProcess(['backup', backupFile], {
      HUB_DATA_DIR: dataA,
      HUB_PORT: String(port),
      HUB_SCHOOL_NAME: 'Hillside Primary',
      HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    loading = false;
    await load;
    expect(backedUp).toMatchObject({ code: 0, err: '' });
    expect(backedUp.out).toContain(`Backed up the hub to ${backupFile}`);
    expect(backedUp.out).toContain('school:          Hillside Primary');
    expect(mode(backupFile)).toBe(0o600);
    expect(issuedDuring.length).toBeGreaterThan(0);

    const manifest = await readManifest(backupFile);
    expect(manifest).toMatchObject({
      format: 'classroom-device-hub-backup',
      schoolName: 'Hillside Primary',
      settings: expect.objectContaining({
        HUB_SCHOOL_NAME: 'Hillside Primary',
        HUB_PORT: String(port),
      }),
    });
    expect(JSON.stringify(manifest)).not.toContain(ADMIN_PASSWORD);
    expect(Object.keys(manifest.files)).toEqual(
      expect.arrayContaining(['hub.sqlite', 'ca/ca.key.pem', 'ca/ca.cert.pem']),
    );

    // Everything hub A ever had, to check the restored hub holds nothing it did not.
    const everyDeviceA = (await everything(url, bearer, '/api/devices')).map((d) => d.id);
    const everyCommandA = new Set((await commandsOf(url, bearer, everyDeviceA)).map((c) => c.id));
    const auditA = new Map((await everything(url, bearer, '/api/audit')).map((r) => [r.id, r]));
    await stopHubProcess(hubA.child);

    // Restore into a fresh data dir, then start a hub there on the same port: the devices'
    // clients are still trying to reconnect to it.
    const restoredAt = new Date().toISOString();
    restoredDir = folder();
    fs.rmdirSync(restoredDir);
    const restored = await adminProcess(['restore', backupFile], {
      HUB_DATA_DIR: restoredDir,
      HUB_PORT: String(port),
    });
    expect(restored).toMatchObject({ code: 0, err: '' });
    expect(restored.out).toContain(`Restored the backup ${backupFile}`);
    expect(restored.out).toContain('HUB_SCHOOL_NAME=Hillside Primary');
    expect(restored.out).not.toContain(ADMIN_PASSWORD);
    expect(mode(restoredDir)).toBe(0o700);
    expect(mode(path.join(restoredDir, 'hub.sqlite'))).toBe(0o600);
    expect(mode(path.join(restoredDir, 'ca'))).toBe(0o700);
    for (const name of fs.readdirSync(path.join(restoredDir, 'ca'))) {
      expect(mode(path.join(restoredDir, 'ca', name))).toBe(0o600);
    }
    expect(fs.readFileSync(path.join(restoredDir, 'ca', 'ca.key.pem'))).toEqual(
      fs.readFileSync(path.join(dataA, 'ca', 'ca.key.pem')),
    );

    hubB = await startHubProcess(restoredDir, port);
    children.push(hubB.child);
    const bearerB = await signIn(url);

    // Every device, command and audit row from before the backup began, as it was.
    const devicesAfter = await everything(url, bearerB, '/api/devices');
    expect(devicesAfter.map((d) => d.id)).toEqual(
      expect.arrayContaining(devicesBefore.map((d) => d.id)),
    );
    for (const device of devicesAfter) {
      expect(everyDeviceA).toContain(device.id);
    }
    const commandsB = await commandsOf(
      url,
      bearerB,
      devicesAfter.map((d) => d.id),
    );
    expect(commandsB.map((c) => c.id)).toEqual(
      expect.arrayContaining(commandsBefore.map((c) => c.id)),
    );
    // Nothing invented, but for one thing: a device the backup caught before its enrolment's
    // policy was planned (gathered for 200 ms) has it planned by the restored hub at start.
    const newInB = commandsB.filter((command) => !everyCommandA.has(command.id as string));
    for (const command of newInB) {
      expect(command).toMatchObject({ type: 'policy.apply', issuedBy: { type: 'system' } });
    }
    expect(new Set(newInB.map((command) => command.deviceId)).size).toBe(newInB.length);
    const auditB = await everything(url, bearerB, '/api/audit');
    const auditBById = new Map(auditB.map((r) => [r.id, r]));
    for (const row of auditBefore) {
      expect(auditBById.get(row.id)).toEqual(row);
    }
    // One consistent moment: the restored log is the start of hub A's log, row for row (ids
    // are a sequence, so hub B's own rows, all newer than its start, follow them), and each
    // command the load issued is in the copy exactly when its audit row is (one transaction).
    const restoredFromA = auditB.filter((r) => String(r.at) < restoredAt);
    expect(restoredFromA).toEqual(restoredFromA.map((r) => auditA.get(r.id)));
    expect(restoredFromA.length).toBeGreaterThanOrEqual(auditBefore.length);
    const restoredIds = new Set(commandsB.map((c) => c.id));
    for (const id of issuedDuring) {
      const audited = restoredFromA.some(
        (r) => r.action === 'command.issued' && JSON.stringify(r).includes(id),
      );
      expect({ id, audited }).toEqual({ id, audited: restoredIds.has(id) });
    }

    // The log says it was rewound, and to when.
    expect(auditB).toContainEqual(
      expect.objectContaining({
        action: 'hub.restored',
        actorType: 'shell',
        detail: expect.objectContaining({ from: backupFile, takenAt: manifest.createdAt }),
      }),
    );

    // The restore is a shell command, not a start of the hub: the one start since is hub B's.
    expect(
      auditB.filter((r) => r.action === 'hub.started' && String(r.at) >= restoredAt),
    ).toHaveLength(1);

    // The devices enrolled before the backup reconnect with the certificates they have, and
    // answer a command sent by the restored hub.
    for (const device of devices.slice(0, 5)) {
      await waitFor(
        () => device.client.connected,
        `${device.identity.deviceId} to reconnect`,
        30_000,
      );
    }
    const offline = connectTestDevice(before[5]);
    devices.push(offline);
    await waitFor(
      () => offline.enforcer.messages.some((m) => m.text === 'for the offline laptop'),
      'the command that was waiting in the backup to reach its device',
      30_000,
    );
    const after = await request(url)
      .post(`/api/devices/${before[0].deviceId}/commands`)
      .set('Authorization', `Bearer ${bearerB}`)
      .send({ type: 'message.show', payload: { text: 'after the restore' } });
    expect(after.status).toBe(201);
    await waitFor(
      () => devices[0].enforcer.messages.some((m) => m.text === 'after the restore'),
      'a command from the restored hub to arrive',
      30_000,
    );
  }, 240_000);

  it('refuses to restore while the hub runs, and leaves its data alone', async () => {
    const db = path.join(restoredDir, 'hub.sqlite');
    const beforeRun = fs.readdirSync(restoredDir).sort();

    const onItsPort = await adminHere(['restore', backupFile], {
      HUB_DATA_DIR: restoredDir,
      HUB_PORT: String(port),
    });
    expect(onItsPort.code).toBe(1);
    expect(onItsPort.err).toBe(
      `Stop the hub before restoring: the hub is running: port ${port} answers /api/health\n`,
    );

    // Told another port, the restore still finds the hub: it has the database open.
    const elsewhere = await adminHere(['restore', backupFile], {
      HUB_DATA_DIR: restoredDir,
      HUB_PORT: String(await freePort()),
    });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.err).toBe(
      `Stop the hub before restoring: process ${hubB.child.pid} has the database ${db} open\n`,
    );

    expect(fs.readdirSync(restoredDir).sort()).toEqual(beforeRun);
    expect((await request(hubB.url).get('/api/health')).status).toBe(200);
  });

  it('makes the backup file 0600 and will not overwrite one without --force', async () => {
    const file = path.join(folder(), 'again.tar.gz');
    fs.writeFileSync(file, 'last week');
    const env = { HUB_DATA_DIR: restoredDir, HUB_PORT: String(port) };

    const refused = await adminHere(['backup', file], env);
    expect(refused).toEqual({
      code: 1,
      out: '',
      err: `${file} already exists: choose another name, or add --force\n`,
    });
    expect(fs.readFileSync(file, 'utf8')).toBe('last week');

    const forced = await adminHere(['backup', file, '--force'], env);
    expect(forced.code).toBe(0);
    expect(mode(file)).toBe(0o600);
    expect((await readManifest(file)).format).toBe('classroom-device-hub-backup');
    // Nothing of the work is left beside it.
    expect(fs.readdirSync(path.dirname(file))).toEqual(['again.tar.gz']);
  });

  it('refuses a damaged or changed backup before touching anything', async () => {
    const target = folder();
    const env = { HUB_DATA_DIR: target, HUB_PORT: String(await freePort()) };

    const changed = await repack(backupFile, (dir) => {
      fs.appendFileSync(path.join(dir, 'ca', 'ca.cert.pem'), '\n');
    });
    const run = await adminHere(['restore', changed], env);
    expect(run).toEqual({
      code: 1,
      out: '',
      err: `${changed} is damaged or was changed: ca/ca.cert.pem does not match the SHA-256 in its manifest\n`,
    });

    const extra = await repack(backupFile, (dir) => {
      fs.writeFileSync(path.join(dir, 'evil.sh'), 'rm -rf /');
    });
    expect((await adminHere(['restore', extra], env)).err).toBe(
      `${extra} holds things a hub backup does not: evil.sh\n`,
    );

    const cut = path.join(folder(), 'cut.tar.gz');
    const whole = fs.readFileSync(backupFile);
    fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const truncated = await adminHere(['restore', cut], env);
    expect(truncated.code).toBe(1);
    expect(truncated.err).toMatch(new RegExp(`^${cut} is not a readable backup`));

    // Nothing was written: no database, no CA, no staging folder.
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('refuses a backup from a newer migration level than this hub knows', async () => {
    const newer = await repack(backupFile, async (dir, manifest) => {
      const db = path.join(dir, 'hub.sqlite');
      await new Promise<void>((resolve, reject) => {
        const handle = new sqlite3.Database(db, (error) => {
          if (error) {
            reject(error);
            return;
          }
          handle.run(
            "INSERT INTO migrations (timestamp, name) VALUES (9999999999999, 'FromTheFuture9999999999999')",
            (insertError) => handle.close(() => (insertError ? reject(insertError) : resolve())),
          );
        });
      });
      manifest.migration = { timestamp: 9999999999999, name: 'FromTheFuture9999999999999' };
      manifest.hubVersion = '9.0.0';
    });
    const target = folder();
    const run = await adminHere(['restore', newer], {
      HUB_DATA_DIR: target,
      HUB_PORT: String(await freePort()),
    });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /^This backup is from a newer hub \(version 9\.0\.0, migration level 9999999999999 FromTheFuture9999999999999\) than this one \(level \d{13} \w+\), which does not know FromTheFuture9999999999999: restore it with that version of the hub or a later one\n$/,
    );
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it("keeps the AUP file's text, and puts it back without losing the file it replaces", async () => {
    const aupFile = path.join(folder(), 'aup.txt');
    fs.writeFileSync(aupFile, 'Be kind online. Ask before you share a photo of someone.\n');
    const file = path.join(folder(), 'with-aup.tar.gz');
    const backedUp = await adminHere(['backup', file], {
      HUB_DATA_DIR: restoredDir,
      HUB_PORT: String(port),
      HUB_AUP_FILE: aupFile,
    });
    expect(backedUp.code).toBe(0);
    expect((await readManifest(file)).aupFile).toBe(aupFile);

    // A new server without HUB_AUP_FILE: the text goes into the data dir, and it says so.
    const target = folder();
    const env = { HUB_DATA_DIR: target, HUB_PORT: String(await freePort()) };
    const first = await adminHere(['restore', file], env);
    expect(first.code).toBe(0);
    const kept = path.join(target, 'aup.txt');
    expect(fs.readFileSync(kept, 'utf8')).toBe(fs.readFileSync(aupFile, 'utf8'));
    expect(first.out).toContain(`set HUB_AUP_FILE=${kept} for the hub to keep it as its AUP.`);

    // With HUB_AUP_FILE set to a file holding other text: that file is moved aside, not lost,
    // as are the database and CA restored a moment ago.
    const current = path.join(folder(), 'current-aup.txt');
    fs.writeFileSync(current, 'A newer AUP that ICT wrote since.\n');
    const second = await adminHere(['restore', file], { ...env, HUB_AUP_FILE: current });
    expect(second.code).toBe(0);
    expect(fs.readFileSync(current, 'utf8')).toBe(fs.readFileSync(aupFile, 'utf8'));
    const aside = fs.readdirSync(path.dirname(current)).filter((n) => n !== 'current-aup.txt');
    expect(aside).toEqual([
      expect.stringMatching(/^current-aup\.txt\.before-restore-\d{8}T\d{6}Z$/),
    ]);
    expect(fs.readFileSync(path.join(path.dirname(current), aside[0]), 'utf8')).toBe(
      'A newer AUP that ICT wrote since.\n',
    );
    expect(fs.readdirSync(target).sort()).toEqual([
      'aup.txt',
      'ca',
      expect.stringMatching(/^ca\.before-restore-/),
      'hub.sqlite',
      expect.stringMatching(/^hub\.sqlite\.before-restore-/),
    ]);
  });

  /** The manifest inside a backup file. */
  async function readManifest(file: string): Promise<BackupManifest> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-manifest-'));
    folders.push(dir);
    await tar.extract({ file, cwd: dir, filter: (name) => name === 'manifest.json' });
    return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  }

  /**
   * A copy of a backup with its members changed by `change`. The manifest's checksums are made
   * to match again only for changes made through the manifest (a forger's copy); other changes
   * keep the old checksums (damage).
   */
  it('restores the CA into HUB_CA_DIR and backs it up from there (issue 10)', async () => {
    const target = folder();
    const caDir = path.join(folder(), 'cluster-ca');
    const env = { HUB_DATA_DIR: target, HUB_CA_DIR: caDir, HUB_PORT: String(await freePort()) };
    const restored = await adminHere(['restore', backupFile], env);
    expect(restored.code).toBe(0);
    expect(restored.out).toContain(`    ${caDir}\n`);
    expect(fs.existsSync(path.join(target, 'ca'))).toBe(false);
    expect(mode(caDir)).toBe(0o700);
    expect(fs.readFileSync(path.join(caDir, 'ca.key.pem'))).toEqual(
      fs.readFileSync(path.join(restoredDir, 'ca', 'ca.key.pem')),
    );

    const again = path.join(folder(), 'from-ca-dir.tar.gz');
    const backedUp = await adminHere(['backup', again], env);
    expect(backedUp.code).toBe(0);
    const manifest = await readManifest(again);
    expect(manifest.files['ca/ca.key.pem']).toEqual(
      await fileChecksum(path.join(caDir, 'ca.key.pem')),
    );

    // Without HUB_CA_DIR the same data dir has no CA: the backup says where it looked.
    const withoutCaDir = await adminHere(['backup', path.join(folder(), 'no-ca.tar.gz')], {
      HUB_DATA_DIR: target,
      HUB_PORT: env.HUB_PORT,
    });
    expect(withoutCaDir).toEqual({
      code: 1,
      out: '',
      err: `There is no hub CA in ${path.join(target, 'ca')}: has this hub ever started?\n`,
    });
  });

  async function repack(
    file: string,
    change: (dir: string, manifest: BackupManifest) => void | Promise<void>,
  ): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-repack-'));
    folders.push(dir);
    await tar.extract({ file, cwd: dir });
    const manifestFile = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
    const original = JSON.stringify(manifest);
    await change(dir, manifest);
    if (JSON.stringify(manifest) !== original) {
      for (const name of Object.keys(manifest.files)) {
        manifest.files[name] = await fileChecksum(path.join(dir, name));
      }
    }
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const members = fs.readdirSync(dir).filter((name) => name !== 'ca');
    members.push(...fs.readdirSync(path.join(dir, 'ca')).map((name) => `ca/${name}`));
    const out = path.join(folder(), 'changed.tar.gz');
    await writeArchive(dir, members, out);
    return out;
  }
});

describe('deploy/classroom-hub-backup.service', () => {
  const read = (name: string) => fs.readFileSync(path.join(ROOT, 'deploy', name), 'utf8');
  /** The values of `key=` lines in a unit, in order. */
  const values = (unit: string, key: string) =>
    unit
      .split('\n')
      .filter((line) => line.startsWith(`${key}=`))
      .map((line) => line.slice(key.length + 1));

  it("backs up with the hub's own user, folder and settings, and a timer starts it", () => {
    const hub = read('classroom-hub.service');
    const backup = read('classroom-hub-backup.service');
    for (const key of ['User', 'Group', 'WorkingDirectory', 'Environment', 'EnvironmentFile']) {
      expect({ key, values: values(backup, key) }).toEqual({ key, values: values(hub, key) });
    }
    const dataDir = /HUB_DATA_DIR=(\S+)/.exec(values(hub, 'Environment').join(' '))?.[1];
    expect(values(backup, 'ReadWritePaths')[0].split(' ')).toContain(dataDir);
    expect(values(backup, 'ExecStart')[0]).toMatch(/node dist\/apps\/hub\/src\/admin\.js backup /);
    expect(values(read('classroom-hub-backup.timer'), 'OnCalendar')).toHaveLength(1);
  });
});
