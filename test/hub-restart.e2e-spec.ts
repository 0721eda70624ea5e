// The real hub process, killed without warning and started again over the same data directory,
// still delivers every command that was waiting, in the order it was issued.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import request from 'supertest';
import { enrollDevice } from '@app/devices';
import { acceptAup, ADMIN_PASSWORD, makeDataDir } from './support/hub';
import {
  freePort,
  killHubProcess,
  spawnEntryPoint,
  startHubProcess as startSupportHubProcess,
} from './support/hub-process';
import { databaseEnv } from './support/test-database';
import {
  connectTestDevice,
  testKeys,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';

const children: ChildProcess[] = [];
const dataDirs: string[] = [];

/** The support module's hub process, remembered so afterAll can stop it. */
async function startHubProcess(dataDir: string, port: number) {
  const hub = await startSupportHubProcess(dataDir, port);
  children.push(hub.child);
  return hub;
}

const kill = killHubProcess;

describe('a hub killed and restarted over the same data directory', () => {
  let device: TestDevice | undefined;

  afterAll(async () => {
    device?.client.destroy();
    await Promise.all(children.map(kill));
    for (const dir of dataDirs) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('delivers every command that was waiting, in issue order, and keeps staff signed in', async () => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const http = request(url);

    const first = await startHubProcess(dataDir, port);
    const login = await http
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    const bearer = login.body.accessToken as string;
    await acceptAup(http, bearer);
    const created = await http
      .post('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${bearer}`)
      .send({});
    expect(created.status).toBe(201);
    const identity = await enrollDevice({
      hubUrl: url,
      token: created.body.token as string,
      keys: await testKeys(),
      device: { serialNumber: `RESTART-${process.pid}`, platform: 'linux', name: 'Restart laptop' },
    });

    const ids: string[] = [];
    for (const body of [
      { type: 'device.lock', payload: { reason: 'class', message: 'Wait' } },
      { type: 'message.show', payload: { text: 'one' } },
      { type: 'message.show', payload: { text: 'two' } },
      // Not an unlock: a newer unlock would retire the waiting lock (issue 8 item 8).
      { type: 'app.lock', payload: { appId: 'org.school.reader' } },
      { type: 'message.show', payload: { text: 'three' } },
    ]) {
      const issued = await http
        .post(`/api/devices/${identity.deviceId}/commands`)
        .set('Authorization', `Bearer ${bearer}`)
        .send(body);
      expect(issued.status).toBe(201);
      ids.push(issued.body.id as string);
    }
    await kill(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');

    await startHubProcess(dataDir, port);
    const me = await http.get('/api/auth/me').set('Authorization', `Bearer ${bearer}`);
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('admin');
    const waiting = await http
      .get(`/api/devices/${identity.deviceId}`)
      .set('Authorization', `Bearer ${bearer}`);
    // Every new device is first sent the school's baseline policy; look past it.
    const notPolicy = <T extends { type: string }>(commands: T[]) =>
      commands.filter((c) => c.type !== 'policy.apply');
    expect(
      notPolicy(waiting.body.pendingCommands as { id: string; type: string }[]).map((c) => c.id),
    ).toEqual(ids);

    device = connectTestDevice(identity);
    await waitForConnect(device);
    const enforcer = device.enforcer;
    await waitFor(() => notPolicy(enforcer.executed).length >= 5, 'five commands', 20_000);
    expect(notPolicy(enforcer.executed).map((c) => c.id)).toEqual(ids);
    expect(enforcer.messages.map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(enforcer.currentState()).toMatchObject({ locked: true, appLock: 'org.school.reader' });

    const statuses = await waitFor(async () => {
      const list = await http
        .get(`/api/devices/${identity.deviceId}/commands?pageSize=100`)
        .set('Authorization', `Bearer ${bearer}`);
      const byId = new Map(
        (list.body.items as { id: string; status: string }[]).map((c) => [c.id, c.status]),
      );
      const all = ids.map((id) => byId.get(id));
      return all.every((status) => status === 'acknowledged') ? all : null;
    }, 'all five acknowledged');
    expect(statuses).toHaveLength(5);
  }, 120_000);
});

describe('a hub whose log reader has gone', () => {
  afterAll(async () => {
    await Promise.all(children.map(kill));
  });

  it('goes on serving, and stops on SIGTERM, when the reader of its output closes after one line (`| head -1`, a log collector restarting)', async () => {
    const dataDir = makeDataDir();
    dataDirs.push(dataDir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnEntryPoint('apps/hub/src/main.ts', [], {
      ...process.env,
      HUB_DATA_DIR: dataDir,
      HUB_PORT: String(port),
      HUB_HOST: '127.0.0.1',
      HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      HUB_LOG_LEVEL: 'info',
      HUB_PASSWORD_HASH: 'minimum',
      ...(await databaseEnv(dataDir)),
    });
    children.push(child);
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    // As `head -1` does: read the first line, then close the pipe. Every later line the hub
    // writes (its start-up lines, "Hub listening on ...") meets a closed pipe (EPIPE).
    child.stdout.once('data', () => child.stdout.destroy());
    const exited = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => resolve(`exited (${code ?? signal})`)),
    );
    await waitFor(
      async () =>
        (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) })
          .then((response) => response.status)
          .catch(() => 0)) === 200,
      'the hub answering /api/health',
      60_000,
    );
    for (let i = 0; i < 5; i += 1) {
      expect((await fetch(`${url}/api/no-such-route`)).status).toBe(404);
    }
    child.kill('SIGTERM');
    const outcome = await Promise.race([
      exited,
      new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 15_000)),
    ]);
    // Stopped cleanly: exit code 0, or the SIGTERM raised again once Nest's shutdown hooks ran
    // (as on PostgreSQL), which systemd counts as a clean stop too.
    expect(`${outcome} ${errors}`).toMatch(/^exited \((0|SIGTERM)\) $/);
  }, 120_000);
});
