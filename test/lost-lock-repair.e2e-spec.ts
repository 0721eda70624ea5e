// A lost report that an older hub left half-done: the asset marked lost, its device never given the
// lost lock (that hub wrote the two in separate transactions and was killed between them). This
// hub locks such a device when it first starts on that data (migration
// 1764875000000-LockLostDevicesLeftUnlocked), audited as the hub's, and leaves alone a device
// whose lost report was whole.
import { DataSource } from 'typeorm';
import { hubDatabaseOf, startHub, TestHub } from './support/hub';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
} from './support/devices';
import { TEST_DATABASE_NAME } from './support/test-database';

/** A device's lock commands, newest first, of a page of its commands. */
function locksOf(items: unknown): { type: string; status: string; payload: unknown }[] {
  return (items as { type: string; status: string; payload: unknown }[]).filter(
    (c) => c.type === 'device.lock' || c.type === 'device.unlock',
  );
}

const REPAIR = 'LockLostDevicesLeftUnlocked1764875000000';

describe(`a lost asset whose device an older hub never locked (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub | undefined;
  let device: TestDevice | undefined;
  afterEach(async () => {
    device?.client.destroy();
    await hub?.close();
    hub = undefined;
  });

  it('is locked as lost at the next start, audited as by the hub', async () => {
    hub = await startHub();
    const dataDir = hub.dataDir;
    const database = hubDatabaseOf(hub);
    const admin = await hub.login();
    const auth = { Authorization: `Bearer ${admin}` };
    const token = await createEnrollmentToken(hub, admin, { maxUses: 2 });
    const halfDone = await enrollTestDevice(hub, token, { serialNumber: 'HALF-DONE-1' });
    const whole = await enrollTestDevice(hub, token, { serialNumber: 'WHOLE-1' });
    // The half-done device had an ICT lock waiting: the lost lock replaces it.
    const adminLock = await hub.http
      .post(`/api/devices/${halfDone.deviceId}/commands`)
      .set(auth)
      .send({ type: 'device.lock', payload: { reason: 'admin', message: 'Kept by ICT' } });
    expect(adminLock.status).toBe(201);
    // Typed in other capitals: the hub matches assets and devices by serial key.
    const lostAsset = await hub.http
      .post('/api/assets')
      .set(auth)
      .send({ assetTag: 'HALF-1', kind: 'tablet', serialNumber: 'half-done-1' });
    expect(lostAsset.status).toBe(201);
    const wholeAsset = await hub.http
      .post('/api/assets')
      .set(auth)
      .send({ assetTag: 'WHOLE-1', kind: 'tablet', serialNumber: 'WHOLE-1' });
    expect(wholeAsset.status).toBe(201);
    expect(
      (
        await hub.http
          .post(`/api/assets/${wholeAsset.body.id as string}/lost`)
          .set(auth)
          .send({})
      ).status,
    ).toBe(200);
    await hub.close();
    hub = undefined;

    // What the older hub left: the asset lost, the lock never queued; and this database as it
    // was before this hub's repair ran.
    const db = await new DataSource(database).initialize();
    try {
      await db.query(`UPDATE assets SET status = 'lost' WHERE asset_tag = 'HALF-1'`);
      await db.query(`DELETE FROM migrations WHERE name = '${REPAIR}'`);
    } finally {
      await db.destroy();
    }

    hub = await startHub({ dataDir });
    const again = { Authorization: `Bearer ${await hub.login()}` };
    const repaired = await hub.http.get(`/api/devices/${halfDone.deviceId}`).set(again);
    expect(repaired.body.desiredState).toMatchObject({
      locked: true,
      lockOwner: 'lost',
      lock: { reason: 'lost', message: expect.stringMatching(/school office/) },
    });
    const commands = await hub.http.get(`/api/devices/${halfDone.deviceId}/commands`).set(again);
    expect(
      locksOf(commands.body.items).map((c) => ({
        type: c.type,
        status: c.status,
        reason: (c.payload as { reason: string }).reason,
      })),
    ).toEqual([
      { type: 'device.lock', status: 'pending', reason: 'lost' },
      { type: 'device.lock', status: 'expired', reason: 'admin' },
    ]);
    // The whole report's device got nothing more.
    const wholeCommands = await hub.http.get(`/api/devices/${whole.deviceId}/commands`).set(again);
    expect(locksOf(wholeCommands.body.items)).toHaveLength(1);

    const log = await hub.http
      .get('/api/audit')
      .query({ targetId: halfDone.deviceId, pageSize: 50 })
      .set(again);
    expect(log.status).toBe(200);
    const byHub = (log.body.items as { action: string; actorType: string; actor: string | null }[])
      .filter((e) => e.actorType === 'system')
      .map((e) => [e.action, e.actor]);
    expect(byHub).toEqual(
      expect.arrayContaining([
        ['command.issued', 'hub'],
        ['command.superseded', 'hub'],
      ]),
    );

    // And the device, when it next connects, is locked with the lost message.
    device = connectTestDevice({ ...halfDone, hubUrl: hub.url });
    await waitFor(
      () =>
        device!.enforcer.currentState().locked &&
        /school office/.test(device!.enforcer.lockMessage ?? ''),
      'the half-done lost device locked',
      10_000,
      async () =>
        JSON.stringify(
          (await hub!.http.get(`/api/devices/${halfDone.deviceId}/commands`).set(again)).body,
        ),
    );
  });
});
