// DeviceClient against a real Socket.IO server on the /device namespace that checks proofs the
// way the hub does (signature, freshness, single use): the stand-in hub.

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { DeviceClient, isUnauthorizedError } from './client';
import { SimulatedEnforcer } from './enforcer';
import { createDeviceKeyPair, type DeviceKeyPair } from './identity';
import { MemoryJournal } from './journal';
import { parseProof } from './proof';
import type { CommandAnswer, CommandEnvelope } from './protocol';
import { StandInHub } from './testing/stand-in-hub';

function command<T extends CommandEnvelope['type']>(
  type: T,
  payload: Extract<CommandEnvelope, { type: T }>['payload'],
  id: string = randomUUID(),
): CommandEnvelope {
  return { id, type, payload, issuedAt: new Date().toISOString() } as CommandEnvelope;
}

describe(DeviceClient.name, () => {
  let keys: DeviceKeyPair;
  let strangerKeys: DeviceKeyPair;
  let hub: StandInHub;
  let deviceId: string;
  let enforcer: SimulatedEnforcer;
  let journal: MemoryJournal;
  let client: DeviceClient;

  beforeAll(async () => {
    [keys, strangerKeys] = await Promise.all([createDeviceKeyPair(), createDeviceKeyPair()]);
  });

  beforeEach(async () => {
    hub = await StandInHub.start();
    deviceId = randomUUID();
    hub.devices.set(deviceId, keys.publicKeyPem);
    enforcer = new SimulatedEnforcer({ initialState: { battery: 80, pendingPhotos: 2 } });
    journal = new MemoryJournal();
    client = new DeviceClient({
      hubUrl: hub.url,
      deviceId,
      privateKeyPem: keys.privateKeyPem,
      enforcer,
      journal,
      autoConnect: false,
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
    });
  });

  afterEach(async () => {
    client.destroy();
    await hub.close();
  });

  async function connect(): Promise<void> {
    client.connect();
    await once(client, 'connect');
    await hub.until(() => hub.statesOf().length > 0);
  }

  it('reports its state on connecting', async () => {
    await connect();
    expect(client.connected).toBe(true);
    expect(hub.statesOf()).toEqual([
      { locked: false, appLock: null, policyVersion: null, battery: 80, pendingPhotos: 2 },
    ]);
  });

  it('executes a command once; the same id again gets the same answer without acting again', async () => {
    await connect();
    const lock = command('device.lock', { reason: 'class', message: 'Eyes on the board' });

    const first = await hub.send(lock);
    const again = await hub.send(lock);

    expect(first).toEqual({ status: 'acknowledged' });
    expect(again).toEqual(first);
    expect(enforcer.executed).toHaveLength(1);
    expect(enforcer.currentState().locked).toBe(true);
  });

  it('reports the new state after a command changes it, and not after one that does not', async () => {
    await connect();
    await hub.send(command('device.lock', { reason: 'lost' }));
    await hub.until(() => hub.statesOf().length === 2);
    expect(hub.statesOf()[1]).toMatchObject({ locked: true });

    await hub.send(command('message.show', { text: 'Tidy up', from: 'Mr Ali' }));
    await hub.send(command('app.lock', { appId: 'com.apple.Keynote' }));
    await hub.until(() => hub.statesOf().length === 3);
    expect(hub.statesOf()[2]).toMatchObject({ locked: true, appLock: 'com.apple.Keynote' });
    expect(enforcer.messages).toEqual([{ text: 'Tidy up', from: 'Mr Ali' }]);
  });

  it('does not journal not_now: the same command sent again is tried again', async () => {
    await connect();
    enforcer.notNowTypes.add('photos.sync');
    const sync = command('photos.sync', {});

    expect(await hub.send(sync)).toMatchObject({ status: 'not_now' });
    expect(journal.get(sync.id)).toBeUndefined();
    expect(enforcer.executed).toHaveLength(0);

    enforcer.notNowTypes.delete('photos.sync');
    expect(await hub.send(sync)).toEqual({ status: 'acknowledged' });
    expect(await hub.send(sync)).toEqual({ status: 'acknowledged' });
    expect(enforcer.declined).toHaveLength(1);
    expect(enforcer.executed).toHaveLength(1);
    expect(enforcer.currentState().pendingPhotos).toBe(0);
  });

  it('keeps an error answer final, and turns a throwing enforcer into an error answer', async () => {
    await connect();
    enforcer.failTypes.set('app.lock', 'no kiosk mode on this device');
    const appLock = command('app.lock', { appId: 'com.example.quiz' });

    expect(await hub.send(appLock)).toEqual({
      status: 'error',
      detail: 'no kiosk mode on this device',
    });
    enforcer.failTypes.clear();
    expect(await hub.send(appLock)).toEqual({
      status: 'error',
      detail: 'no kiosk mode on this device',
    });
    expect(enforcer.executed).toHaveLength(1);

    jest.spyOn(enforcer, 'execute').mockRejectedValueOnce(new Error('screen locker crashed'));
    expect(await hub.send(command('device.lock', { reason: 'class' }))).toEqual({
      status: 'error',
      detail: 'screen locker crashed',
    });
  });

  it('runs a command delivered again while it is still running only once', async () => {
    await connect();
    enforcer.actionDelayMs = 200;
    const lock = command('device.lock', { reason: 'class' });

    const answers = await Promise.all([hub.send(lock), hub.send(lock)]);

    expect(answers).toEqual([{ status: 'acknowledged' }, { status: 'acknowledged' }]);
    expect(enforcer.executed).toHaveLength(1);
  });

  it('answers a command that does not validate with an error naming the field, without acting', async () => {
    await connect();
    const bad = { ...command('device.lock', { reason: 'class' }), payload: { reason: 'exam' } };

    const answer = await hub.send(bad as CommandEnvelope);

    expect(answer).toEqual({
      status: 'error',
      detail: 'payload.reason must be one of class, lost, admin',
    });
    expect(enforcer.executed).toHaveLength(0);
  });

  it('comes back with a fresh proof after the hub drops it, and answers the redelivered command from the journal', async () => {
    await connect();
    enforcer.actionDelayMs = 150;
    const lock = command('device.lock', { reason: 'admin' });
    const firstSocket = hub.socket();

    // The hub gives up on the answer and drops the device, as it does after 30 s.
    void hub.send(lock, firstSocket).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    firstSocket.disconnect(true);

    await hub.until(() => hub.sockets.length === 2 && hub.socket().connected);
    const answer = await hub.send(lock);

    expect(answer).toEqual({ status: 'acknowledged' });
    expect(enforcer.executed).toHaveLength(1);
    expect(hub.proofs).toHaveLength(2);
    expect(parseProof(hub.proofs[1]).nonce).not.toBe(parseProof(hub.proofs[0]).nonce);
  });

  it('surfaces a refused connection as connect_error "unauthorized"', async () => {
    const stranger = new DeviceClient({
      hubUrl: hub.url,
      deviceId,
      privateKeyPem: strangerKeys.privateKeyPem,
      enforcer: new SimulatedEnforcer(),
      autoConnect: false,
    });
    try {
      stranger.connect();
      const [error] = await once(stranger, 'connect_error');
      expect(isUnauthorizedError(error)).toBe(true);
      expect(stranger.connected).toBe(false);
      expect(hub.sockets).toHaveLength(0);
    } finally {
      stranger.destroy();
    }
  });

  it('refuses a proof from a clock more than five minutes out', async () => {
    const skewed = new DeviceClient({
      hubUrl: hub.url,
      deviceId,
      privateKeyPem: keys.privateKeyPem,
      enforcer: new SimulatedEnforcer(),
      autoConnect: false,
      now: () => Date.now() - 301_000,
    });
    try {
      skewed.connect();
      const [error] = await once(skewed, 'connect_error');
      expect((error as Error).message).toBe('unauthorized');
    } finally {
      skewed.destroy();
    }
  });

  it('reports a change made on the device itself', async () => {
    await connect();
    await hub.send(command('device.lock', { reason: 'class' }));
    await hub.until(() => hub.statesOf().length === 2);

    enforcer.simulateUserUnlock();

    await hub.until(() => hub.statesOf().length === 3);
    expect(hub.statesOf()[2]).toMatchObject({ locked: false });
  });

  it('surfaces a state the hub refuses as a warning', async () => {
    await connect();
    const warnings: string[] = [];
    client.on('warning', (message) => warnings.push(message));

    enforcer.simulateLocalChange({ battery: 140 });

    await hub.until(() => warnings.length > 0);
    expect(warnings[0]).toContain('state.battery must not be greater than 100');
  });

  it('acknowledges device.unenroll, then disconnects for good and says so', async () => {
    await connect();
    const answered: Array<[string, CommandAnswer]> = [];
    client.on('command', (cmd, answer) => answered.push([cmd.type, answer]));
    const unenrolled = once(client, 'unenrolled');

    const answer = await hub.send(command('device.unenroll', {}));
    await unenrolled;

    expect(answer).toEqual({ status: 'acknowledged' });
    expect(answered).toEqual([['device.unenroll', { status: 'acknowledged' }]]);
    expect(enforcer.unenrolled).toBe(true);
    await hub.until(() => !hub.socket().connected);
    expect(client.connected).toBe(false);
    expect(() => client.connect()).toThrow('unenrolled');
  });
});
