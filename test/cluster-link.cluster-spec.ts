// Two real hub processes on one PostgreSQL database and one Redis (issue 10): a command issued
// through one hub reaches a device on the other and its answer shows where it was issued; staff
// on one hub see the devices of the other; a device that moves hub is shown online once; a hub
// that dies leaves its devices to reconnect elsewhere and get what was waiting, and those that
// do not come back are shown offline after the liveness timeout.
import { io, Socket } from 'socket.io-client';
import { CLUSTER_TEST_ENV, ClusterHub, startCluster, TestCluster } from './support/cluster';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';

/** A /staff connection and everything it was sent. */
interface Watcher {
  socket: Socket;
  of<T>(name: string): T[];
}

interface DeviceView {
  id: string;
  online: boolean;
  lastSeenAt: string | null;
}

async function watchStaff(hub: ClusterHub, token: string): Promise<Watcher> {
  const socket = io(`${hub.url}/staff`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const events: { name: string; body: unknown }[] = [];
  socket.onAny((name: string, body: unknown) => events.push({ name, body }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return {
    socket,
    of: <T>(name: string) => events.filter((e) => e.name === name).map((e) => e.body as T),
  };
}

const deadAfterMs = Number(CLUSTER_TEST_ENV.HUB_CLUSTER_DEAD_AFTER_MS);
const heartbeatMs = Number(CLUSTER_TEST_ENV.HUB_CLUSTER_HEARTBEAT_MS);

describe('Hubs joined through Redis (HUB_REDIS) on one PostgreSQL database', () => {
  let cluster: TestCluster;
  let a: ClusterHub;
  let b: ClusterHub;
  let admin: string;
  let token: string;
  let staff: Watcher;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ hubs: 2 });
    [a, b] = cluster.hubs;
    admin = await a.login();
    token = await createEnrollmentToken(a, admin);
    staff = await watchStaff(a, admin);
  }, 180_000);

  afterAll(async () => {
    staff?.socket.close();
    devices.forEach((device) => device.client.destroy());
    await cluster?.stop();
  }, 60_000);

  /** A device enrolled through hub A and connected to `hub`, its baseline policy applied. */
  async function deviceOn(
    hub: ClusterHub,
    existing?: Pick<TestDevice, 'identity' | 'enforcer' | 'journal'>,
  ): Promise<TestDevice> {
    const identity = existing?.identity ?? (await enrollTestDevice(a, token));
    const device = connectTestDevice(
      { ...identity, hubUrl: hub.url },
      { enforcer: existing?.enforcer, journal: existing?.journal },
    );
    devices.push(device);
    await waitForConnect(device);
    return device;
  }

  async function view(hub: ClusterHub, deviceId: string): Promise<DeviceView> {
    const response = await hub.http
      .get(`/api/devices/${deviceId}`)
      .set('Authorization', `Bearer ${admin}`);
    expect(response.status).toBe(200);
    return response.body as DeviceView;
  }

  async function commandStatus(hub: ClusterHub, deviceId: string, commandId: string) {
    const response = await hub.http
      .get(`/api/devices/${deviceId}/commands`)
      .set('Authorization', `Bearer ${admin}`);
    expect(response.status).toBe(200);
    const items = (response.body as { items: { id: string; status: string }[] }).items;
    return items.find((item) => item.id === commandId)?.status;
  }

  async function lock(hub: ClusterHub, deviceId: string): Promise<string> {
    const issued = await hub.http
      .post(`/api/devices/${deviceId}/commands`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ type: 'device.lock', payload: { reason: 'class', message: 'Eyes on me' } });
    expect(issued.status).toBe(201);
    return (issued.body as { id: string }).id;
  }

  it('delivers a command issued on A to a device on B, and shows its answer on A', async () => {
    const device = await deviceOn(b);
    const deviceId = device.identity.deviceId;
    await waitFor(async () => (await view(a, deviceId)).online, 'the device online on A');

    const commandId = await lock(a, deviceId);
    await waitFor(
      async () => (await commandStatus(a, deviceId, commandId)) === 'acknowledged',
      'the lock acknowledged, read on A',
    );
    expect(device.enforcer.currentState().locked).toBe(true);
    await waitFor(
      () =>
        staff
          .of<{ commandId: string; status: string }>('command.updated')
          .some((e) => e.commandId === commandId && e.status === 'acknowledged'),
      'command.updated acknowledged on a /staff client of A',
    );
    // Once each, cluster-wide: by A when queued, by B (which holds the device) when sent and
    // answered.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const statuses = staff
      .of<{ commandId: string; status: string }>('command.updated')
      .filter((e) => e.commandId === commandId)
      .map((e) => e.status);
    expect(statuses.filter((s) => s === 'acknowledged')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(1);
  });

  it('shows staff on A a device on B: its coming online and its state, once each', async () => {
    const device = await deviceOn(b);
    const deviceId = device.identity.deviceId;
    await waitFor(
      () =>
        staff.of<{ deviceId: string }>('device.online').some((e) => e.deviceId === deviceId) &&
        staff.of<{ deviceId: string }>('device.state').some((e) => e.deviceId === deviceId),
      'device.online and device.state of the device on B, on a /staff client of A',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      staff.of<{ deviceId: string }>('device.online').filter((e) => e.deviceId === deviceId),
    ).toHaveLength(1);
  });

  it('drops the older connection on B when the device connects to A, and keeps it online', async () => {
    const onB = await deviceOn(b);
    const deviceId = onB.identity.deviceId;
    await waitFor(async () => (await view(a, deviceId)).online, 'online through B');
    const droppedOnB = new Promise<void>((resolve) =>
      onB.client.once('disconnect', () => resolve()),
    );

    const onA = await deviceOn(a, onB);
    await droppedOnB;
    onB.client.close(); // the older client would otherwise connect again
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(onA.client.connected).toBe(true);
    expect((await view(a, deviceId)).online).toBe(true);
    expect((await view(b, deviceId)).online).toBe(true);
    // B dropped a connection the device had left behind, not a device going offline.
    expect(
      staff.of<{ deviceId: string }>('device.offline').filter((e) => e.deviceId === deviceId),
    ).toHaveLength(0);

    const commandId = await lock(b, deviceId);
    await waitFor(
      async () => (await commandStatus(b, deviceId, commandId)) === 'acknowledged',
      'a lock issued on B, acknowledged by the device now on A',
    );
  });

  it('a hub stopped cleanly (a restart, an update) ends only its own staff connections', async () => {
    const c = await cluster.addHub();
    const onC = await watchStaff(c, await c.login());
    const ended: string[] = [];
    staff.socket.on('disconnect', (reason) => ended.push(reason));

    await c.stop();
    await waitFor(() => !onC.socket.connected, "C's own console connection ended");
    // The hub ends its consoles' connections as it stops; through the Redis adapter a plain
    // namespace-wide disconnect reached every hub's consoles, and A's watcher went too.
    await new Promise((wake) => setTimeout(wake, 1000));
    expect(ended).toEqual([]);
    expect(staff.socket.connected).toBe(true);
    onC.socket.close();
  });

  it('after B is killed: its devices reconnect to A and get what waited; the rest go offline', async () => {
    const moving = await deviceOn(b);
    const staying = await deviceOn(b);
    const movingId = moving.identity.deviceId;
    const stayingId = staying.identity.deviceId;
    await waitFor(
      async () => (await view(a, movingId)).online && (await view(a, stayingId)).online,
      'both devices online on A through B',
    );

    await b.kill();
    // Nobody else notices a SIGKILL: the devices' connections simply end.
    await waitFor(() => !moving.client.connected && !staying.client.connected, 'connections cut');
    staying.client.close();
    moving.client.close();

    const commandId = await lock(a, movingId);
    expect(await commandStatus(a, movingId, commandId)).toBe('pending');
    const onA = await deviceOn(a, moving);
    await waitFor(
      async () => (await commandStatus(a, movingId, commandId)) === 'acknowledged',
      'the waiting lock delivered on A after the device reconnected there',
    );
    expect(onA.enforcer.currentState().locked).toBe(true);

    const deadline = Date.now() + deadAfterMs + 2 * heartbeatMs + 3000;
    const offline = await waitFor(
      async () => {
        const seen = await view(a, stayingId);
        return seen.online ? null : seen;
      },
      'the device that did not come back shown offline',
      deadline - Date.now(),
    );
    expect(offline.lastSeenAt).toEqual(expect.any(String));
    expect((await view(a, movingId)).online).toBe(true);
  });
});
