// Delivery when its own writes fail or are slow (protocol section 3): a claim batch that fails
// (claims are written in batches of up to 2,500 devices) must not leave its connected devices
// without their commands until they next reconnect, and a command whose expiry passes while its
// claim is being written is never sent. The failures and the slow write are made by wrapping the
// hub's own repository method; what is asserted is what the device receives.
import { CommandEnvelope, DeviceIdentity, SimulatedEnforcer } from '@app/devices';
import { CommandsRepository } from '../apps/hub/src/commands/commands.repository';
import { startHub, TestHub } from './support/hub';
import {
  connectTestDevice,
  createEnrollmentToken,
  enrollTestDevice,
  TestDevice,
  waitFor,
  waitForConnect,
} from './support/devices';
import { TEST_DATABASE_NAME } from './support/test-database';

interface CommandRow {
  id: string;
  type: string;
  status: string;
}

type ClaimAndMarkSent = CommandsRepository['claimAndMarkSent'];

describe(`delivery when its writes fail or are slow (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let token: string;
  let repository: CommandsRepository;
  let original: ClaimAndMarkSent;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    token = await createEnrollmentToken(hub, admin, { maxUses: 20 });
    repository = hub.app.get(CommandsRepository);
    original = repository.claimAndMarkSent.bind(repository);
  });

  afterEach(() => {
    repository.claimAndMarkSent = original;
    for (const device of devices.splice(0)) {
      device.client.destroy();
    }
  });

  afterAll(() => hub.close());

  const auth = () => ({ Authorization: `Bearer ${admin}` });
  const commandsOf = async (deviceId: string) =>
    (await hub.http.get(`/api/devices/${deviceId}/commands?pageSize=100`).set(auth())).body
      .items as CommandRow[];
  const statusOf = async (deviceId: string, id: string) =>
    (await commandsOf(deviceId)).find((c) => c.id === id)?.status;

  /** Connects a device that notes every command it is sent, once its baseline is applied. */
  async function online(identity: DeviceIdentity) {
    const enforcer = new SimulatedEnforcer();
    const received: CommandEnvelope[] = [];
    const execute = enforcer.execute.bind(enforcer);
    enforcer.execute = (command) => {
      received.push(command);
      return execute(command);
    };
    const device = connectTestDevice(identity, { enforcer });
    devices.push(device);
    await waitForConnect(device);
    await waitFor(() => enforcer.currentState().policyVersion !== null, 'baseline applied');
    await waitFor(
      async () =>
        (await commandsOf(identity.deviceId)).every((c) =>
          ['acknowledged', 'error', 'expired'].includes(c.status),
        ),
      'the baseline answered',
    );
    return { device, received };
  }

  it('delivers a command whose claim batch failed, without the device reconnecting', async () => {
    const identity = await enrollTestDevice(hub, token);
    const { received } = await online(identity);
    let failures = 0;
    repository.claimAndMarkSent = (...args: Parameters<ClaimAndMarkSent>) => {
      if (failures === 0) {
        failures += 1;
        return Promise.reject(new Error('the database is briefly unavailable'));
      }
      return original(...args);
    };
    const message = await hub.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set(auth())
      .send({ type: 'message.show', payload: { text: 'after a failed claim' } });
    expect(message.status).toBe(201);
    await waitFor(
      async () => (await statusOf(identity.deviceId, message.body.id as string)) === 'acknowledged',
      'the message acknowledged on the same connection',
    );
    expect(failures).toBe(1);
    expect(received.filter((c) => c.id === message.body.id)).toHaveLength(1);
  });

  it('never sends a command whose expiry passed while its claim was being written', async () => {
    const identity = await enrollTestDevice(hub, token);
    const { received } = await online(identity);
    let reached!: () => void;
    const claimWritten = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The claim is made in its transaction, which then waits (a slow batch) until released.
    repository.claimAndMarkSent = async (...args: Parameters<ClaimAndMarkSent>) => {
      const result = await original(...args);
      reached();
      await released;
      return result;
    };
    const message = await hub.http
      .post(`/api/devices/${identity.deviceId}/commands`)
      .set(auth())
      .send({
        type: 'message.show',
        payload: { text: 'only for the next five seconds' },
        expiresAt: new Date(hub.clock.nowMs() + 5_000).toISOString(),
      });
    expect(message.status).toBe(201);
    await claimWritten;
    hub.clock.advance(6_000);
    try {
      release();
      await waitFor(
        async () =>
          ['expired', 'acknowledged', 'error'].includes(
            (await statusOf(identity.deviceId, message.body.id as string)) ?? '',
          ),
        'the message settled',
      );
      expect(await statusOf(identity.deviceId, message.body.id as string)).toBe('expired');
      expect(received.map((c) => c.id)).not.toContain(message.body.id);
    } finally {
      hub.clock.advance(-6_000);
    }
  });
});
