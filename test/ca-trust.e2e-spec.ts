// The hubs of a school share one CA (issue 10): HUB_CA_DIR names its folder, the database records
// its fingerprint at the first start, and a hub whose CA did not sign the database's devices
// (another hub's, a new one, or none) refuses to start with one line naming HUB_CA_DIR, without
// making a CA of its own. On SQLite and on PostgreSQL.
import { Test } from '@nestjs/testing';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { AppModule } from '../apps/hub/src/app.module';
import { configureHub } from '../apps/hub/src/bootstrap';
import { HUB_CONFIG, loadHubConfig } from '../apps/hub/src/config/hub-config';
import { ADMIN_PASSWORD, makeDataDir, startHub } from './support/hub';
import { spawnEntryPoint } from './support/hub-process';
import { createEnrollmentToken, enrollTestDevice } from './support/devices';
import {
  databaseClosed,
  databaseEnv,
  databaseOpened,
  TEST_DATABASE_NAME,
} from './support/test-database';

/**
 * Starts the hub's AppModule over `dataDir` with `env` and expects it to refuse: returns the
 * error's message, having closed whatever had started.
 */
async function refusal(dataDir: string, env: Record<string, string>): Promise<string> {
  const config = loadHubConfig({
    HUB_DATA_DIR: dataDir,
    HUB_PORT: '0',
    HUB_HOST: '127.0.0.1',
    HUB_LOG_LEVEL: 'silent',
    ...(await databaseEnv(dataDir)),
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(HUB_CONFIG)
    .useValue(config)
    .compile();
  const app = configureHub(moduleRef.createNestApplication({ logger: false }));
  databaseOpened(dataDir);
  try {
    await app.init();
  } catch (error) {
    return (error as Error).message;
  } finally {
    await app.close().catch(() => undefined);
    databaseClosed(dataDir);
  }
  throw new Error('the hub started');
}

const fingerprintOf = (caDir: string) =>
  new crypto.X509Certificate(fs.readFileSync(path.join(caDir, 'ca.cert.pem'))).fingerprint256;

describe(`one CA for the hubs of a school (HUB_CA_DIR) on ${TEST_DATABASE_NAME}`, () => {
  const folders: string[] = [];
  const folder = () => {
    const dir = makeDataDir();
    folders.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of folders) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A hub over a new data dir with one enrolled device; returns its data dir, then closes. */
  async function hubWithDevice(env: Record<string, string> = {}): Promise<string> {
    const dataDir = folder();
    const hub = await startHub({ dataDir, env });
    const admin = await hub.login();
    await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    await hub.close();
    return dataDir;
  }

  it('keeps the CA in HUB_CA_DIR, and a hub with that folder starts on the database again', async () => {
    const caDir = path.join(folder(), 'school-ca');
    const dataDir = await hubWithDevice({ HUB_CA_DIR: caDir });
    expect(fs.readdirSync(caDir).sort()).toEqual(['ca.cert.pem', 'ca.key.pem']);
    expect(fs.existsSync(path.join(dataDir, 'ca'))).toBe(false);

    // Started again with that folder: the CA the database recorded.
    const again = await startHub({ dataDir, env: { HUB_CA_DIR: caDir } });
    try {
      const school = await again.http.get('/api/school');
      expect(school.body.caFingerprint).toBe(fingerprintOf(caDir));
    } finally {
      await again.close();
    }
  });

  it('refuses to make a new CA for a database whose devices trust another, and makes none', async () => {
    const dataDir = await hubWithDevice();
    const recorded = fingerprintOf(path.join(dataDir, 'ca'));
    const emptyCaDir = path.join(folder(), 'ca');
    const message = await refusal(dataDir, { HUB_CA_DIR: emptyCaDir });
    expect(message).toBe(
      `HUB_CA_DIR: there is no CA in ${emptyCaDir}, and this database's devices trust the CA with SHA-256 ${recorded}: copy that CA folder from another hub of the school (or a backup) to ${emptyCaDir} rather than making a new one`,
    );
    expect(fs.existsSync(path.join(emptyCaDir, 'ca.key.pem'))).toBe(false);
  });

  it("refuses another hub's CA, naming both fingerprints", async () => {
    const dataDir = await hubWithDevice();
    const otherDir = await hubWithDevice();
    const otherCa = path.join(otherDir, 'ca');
    const message = await refusal(dataDir, { HUB_CA_DIR: otherCa });
    expect(message).toBe(
      `HUB_CA_DIR: the CA in ${otherCa} (SHA-256 ${fingerprintOf(otherCa)}) is not the one this database's devices trust (SHA-256 ${fingerprintOf(path.join(dataDir, 'ca'))}): copy that CA folder from another hub of the school to ${otherCa}`,
    );
  });

  it('checks a database from an earlier version (devices, no fingerprint) against the device certificates', async () => {
    const dataDir = folder();
    const hub = await startHub({ dataDir });
    const admin = await hub.login();
    await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    // As an earlier version left it: no fingerprint recorded.
    await hub.app.get(DataSource).query('DELETE FROM hub_identity');
    await hub.close();

    const otherCa = path.join(await hubWithDevice(), 'ca');
    const message = await refusal(dataDir, { HUB_CA_DIR: otherCa });
    expect(message).toMatch(
      new RegExp(
        `^HUB_CA_DIR: the CA in ${otherCa} \\(SHA-256 ${fingerprintOf(otherCa)}\\) did not sign this database's devices \\(1 enrolled; one was issued by "CN=Classroom Device Hub CA, O=Classroom Device Hub, OU=[0-9a-f-]{36}"\\): put the CA folder of the hub that enrolled them in ${otherCa}$`,
      ),
    );
    const noCa = path.join(folder(), 'ca');
    expect(await refusal(dataDir, { HUB_CA_DIR: noCa })).toBe(
      `HUB_CA_DIR: there is no CA in ${noCa}, and this database has 1 enrolled devices signed by a CA: copy that CA folder (or restore it from a backup) to ${noCa} rather than making a new one`,
    );

    // Its own CA signed them: it starts, and records the fingerprint from now on.
    const own = await startHub({ dataDir });
    try {
      const rows = (await own.app
        .get(DataSource)
        .query("SELECT value FROM hub_identity WHERE name = 'ca_fingerprint'")) as {
        value: string;
      }[];
      expect(rows).toEqual([{ value: fingerprintOf(path.join(dataDir, 'ca')) }]);
    } finally {
      await own.close();
    }
    expect((await refusal(dataDir, { HUB_CA_DIR: otherCa })).startsWith('HUB_CA_DIR: ')).toBe(true);
  });

  it('stops the real hub with one line naming HUB_CA_DIR', async () => {
    const dataDir = await hubWithDevice();
    const emptyCaDir = path.join(folder(), 'ca');
    const child = spawnEntryPoint('apps/hub/src/main.ts', [], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HUB_DATA_DIR: dataDir,
      HUB_CA_DIR: emptyCaDir,
      HUB_PORT: '0',
      HUB_HOST: '127.0.0.1',
      HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...(await databaseEnv(dataDir)),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^The hub could not start: HUB_CA_DIR: there is no CA in \S+, and this database's devices trust the CA with SHA-256 [0-9A-F:]{95}: copy that CA folder from another hub of the school \(or a backup\) to \S+ rather than making a new one\n$/,
    );
  }, 60_000);
});
