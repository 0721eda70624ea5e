// A device proof is used once, even across a crash (protocol section 2, issue 8 item 13): a
// proof accepted just before the hub is killed is refused when it is replayed after the restart.
// The nonces used to reach the database 100 ms after their proofs were accepted.
import * as fs from 'node:fs';
import request from 'supertest';
import { enrollDevice, makeProof } from '@app/devices';
import { acceptAup, ADMIN_PASSWORD, makeDataDir } from './support/hub';
import { testKeys } from './support/devices';
import { freePort, HubProcess, killHubProcess, startHubProcess } from './support/hub-process';

describe('device proofs across a hub crash', () => {
  const hubs: HubProcess[] = [];
  let dataDir: string;

  afterAll(async () => {
    await Promise.all(hubs.map((hub) => killHubProcess(hub.child)));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a replay after a restart of proofs accepted just before the crash', async () => {
    dataDir = makeDataDir();
    const port = await freePort();
    const first = await startHubProcess(dataDir, port);
    hubs.push(first);
    const http = request(first.url);
    const login = await http
      .post('/api/auth/login')
      .send({ username: 'admin', password: ADMIN_PASSWORD });
    await acceptAup(http, login.body.accessToken as string);
    const created = await http
      .post('/api/enrollment-tokens')
      .set('Authorization', `Bearer ${login.body.accessToken as string}`)
      .send({});
    const keys = await testKeys();
    const identity = await enrollDevice({
      hubUrl: first.url,
      token: created.body.token as string,
      keys,
      device: { serialNumber: `REPLAY-${process.pid}`, platform: 'linux' },
    });
    const self = (proof: string) =>
      request(first.url).get('/api/device/self').set('Authorization', `Device ${proof}`);

    // Three proofs used at once, and the hub killed the moment the answers arrive.
    const proofs = [1, 2, 3].map(() => makeProof(identity.deviceId, keys.privateKeyPem));
    const used = await Promise.all(proofs.map(self));
    await killHubProcess(first.child);
    expect(used.map((response) => response.status)).toEqual([200, 200, 200]);

    const second = await startHubProcess(dataDir, port);
    hubs.push(second);
    for (const proof of proofs) {
      expect((await self(proof)).status).toBe(401);
    }
    // The device itself is fine: a fresh proof is accepted.
    expect((await self(makeProof(identity.deviceId, keys.privateKeyPem))).status).toBe(200);
  }, 180_000);
});
