// A revocation or a rename of a device meeting a re-enrolment of it, with real HTTP requests on
// the real hub. Two requests at once cannot be timed from outside, so the test holds the
// revocation (or the rename) at the moment it has read the device row, whatever statement read
// it: a TypeORM subscriber on the hub's own DataSource waits in `afterLoad` until the test lets
// it go. The re-enrolment is then sent and given the time to finish, or to wait for the database
// (PostgreSQL: a lock wait; SQLite: units queued behind the held one), before the held request
// goes on. A revocation that read the device before its transaction recorded the certificate of
// the enrolment before as revoked, and answered with the device as it was before; one that reads
// it in its transaction, under a row lock, makes the re-enrolment wait and records the
// certificate the device holds.
import { DataSource, EntitySubscriberInterface } from 'typeorm';
import { createCsr, createDeviceKeyPair } from '@app/devices';
import { DeviceEntity, RevokedCertificateEntity } from '../apps/hub/src/devices/device.entities';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import { startHub, TestHub } from './support/hub';
import { ON_POSTGRES } from './support/test-database';
import { createEnrollmentToken, waitFor, waitForBaselinePlanned } from './support/devices';

interface AuditItem {
  action: string;
  detail: Record<string, unknown> | null;
}

/** A gate the test opens: `reached` once the held read is done, `release()` to let it go on. */
interface HeldRead {
  reached: Promise<void>;
  release(): void;
}

describe('a device changed while it re-enrols', () => {
  let hub: TestHub;
  let admin: string;
  let dataSource: DataSource;
  let reenrolToken: string;
  let serialCounter = 0;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    dataSource = hub.app.get(DataSource);
    reenrolToken = await createEnrollmentToken(hub, admin, { reenrol: true, maxUses: 20 });
  });

  afterAll(async () => {
    await hub.close();
  });

  const auth = () => ({ Authorization: `Bearer ${admin}` });

  async function enroll(serialNumber: string, name: string) {
    const keys = await createDeviceKeyPair();
    return hub.http.post('/api/enroll').send({
      token: reenrolToken,
      csr: createCsr(serialNumber, keys),
      device: { serialNumber, platform: 'linux', model: 'Test laptop', name },
    });
  }

  /** A device enrolled as `name`, its baseline policy planned (so nothing else reads it later). */
  async function enrolledDevice(name: string): Promise<{ id: string; serialNumber: string }> {
    serialCounter += 1;
    const serialNumber = `RACE-${process.pid}-${serialCounter}`;
    const first = await enroll(serialNumber, name);
    expect(first.status).toBe(201);
    const id = first.body.deviceId as string;
    await waitForBaselinePlanned(hub, admin, [id]);
    return { id, serialNumber };
  }

  /**
   * Holds the next read of device `deviceId`'s row as an entity (by whatever repository method,
   * in or out of a transaction) once it has its result, until `release()`.
   */
  function holdNextRead(deviceId: string): HeldRead {
    let reached!: () => void;
    let release!: () => void;
    const gate: HeldRead = {
      reached: new Promise<void>((resolve) => (reached = resolve)),
      release: () => release(),
    };
    const released = new Promise<void>((resolve) => (release = resolve));
    let armed = true;
    const subscriber: EntitySubscriberInterface<DeviceEntity> = {
      listenTo: () => DeviceEntity,
      afterLoad: async (entity: DeviceEntity) => {
        if (!armed || entity.id !== deviceId) {
          return;
        }
        armed = false;
        dataSource.subscribers.splice(dataSource.subscribers.indexOf(subscriber), 1);
        reached();
        await released;
      },
    };
    dataSource.subscribers.push(subscriber);
    return gate;
  }

  /**
   * Resolves once `request` has answered, or is waiting for the database: on PostgreSQL for a
   * lock (a row the held request locked); on SQLite behind the held unit of work, its queue not
   * emptied for half a second (a statement passing through the queue waits milliseconds).
   */
  async function answeredOrWaiting(request: Promise<unknown>): Promise<void> {
    let answered = false;
    const answer = () => (answered = true);
    void request.then(answer, answer);
    const runner = hub.app.get(TransactionRunner);
    let queuedSince: number | null = null;
    await waitFor(
      async () => {
        if (answered) {
          return true;
        }
        if (ON_POSTGRES) {
          const [{ n }] = (await dataSource.query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )) as { n: string }[];
          return Number(n) > 0;
        }
        if (runner.waiting().first === 0) {
          queuedSince = null;
          return false;
        }
        queuedSince ??= Date.now();
        return Date.now() - queuedSince >= 500;
      },
      'the re-enrolment answered or waiting for the held request',
      20_000,
    );
  }

  /** Sends `request` (a supertest request), so that it runs while the test awaits other things. */
  function sent<T>(request: PromiseLike<T>): Promise<T> {
    return Promise.resolve(request);
  }

  it('records as revoked the certificate the device holds when revoked, and answers with the device as it was then', async () => {
    const device = await enrolledDevice('Laptop before');
    const devices = dataSource.getRepository(DeviceEntity);
    const before = await devices.findOneByOrFail({ id: device.id });
    const held = holdNextRead(device.id);
    const revoke = sent(hub.http.delete(`/api/devices/${device.id}`).set(auth()));
    await held.reached;
    const reenrol = sent(enroll(device.serialNumber, 'Laptop after'));
    try {
      await answeredOrWaiting(reenrol);
    } finally {
      held.release();
    }
    const [revoked, reenrolled] = await Promise.all([revoke, reenrol]);
    expect(revoked.status).toBe(200);
    // The re-enrolment came first, or after (a revoked device may enrol again), or waited and
    // found the device revoked under it (409): never a 500.
    expect([201, 409]).toContain(reenrolled.status);

    const now = await devices.findOneByOrFail({ id: device.id });
    // The device as it was when revoked: as it is, if still revoked; else as before the
    // re-enrolment that followed the revocation.
    const atRevocation = now.status === 'revoked' ? now : before;
    if (now.status !== 'revoked') {
      expect([reenrolled.status, now.certificateSerial]).toEqual([201, expect.any(String)]);
      expect(now.certificateSerial).not.toBe(before.certificateSerial);
    }
    // The certificate it held then is the one on the revoked list as revoked by staff.
    const byStaff = await dataSource
      .getRepository(RevokedCertificateEntity)
      .findBy({ deviceId: device.id, reason: 'revoked' });
    expect(byStaff.map((row) => row.serial)).toEqual([atRevocation.certificateSerial]);
    // The answer shows the device that was revoked, named as it was.
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      name: atRevocation.name,
      enrolledAt: atRevocation.enrolledAt.toISOString(),
    });
  });

  it('audits a rename with the name the device had just before it, though it re-enrolled under another a moment before', async () => {
    const device = await enrolledDevice('Laptop before');
    const held = holdNextRead(device.id);
    const rename = sent(
      hub.http.patch(`/api/devices/${device.id}`).set(auth()).send({ name: 'Renamed by ICT' }),
    );
    await held.reached;
    const reenrol = sent(enroll(device.serialNumber, 'Laptop after'));
    try {
      await answeredOrWaiting(reenrol);
    } finally {
      held.release();
    }
    const [renamed, reenrolled] = await Promise.all([rename, reenrol]);
    expect(renamed.status).toBe(200);
    expect(reenrolled.status).toBe(201);

    const now = await dataSource.getRepository(DeviceEntity).findOneByOrFail({ id: device.id });
    const audit = await hub.http
      .get('/api/audit')
      .query({ action: 'device.updated', targetId: device.id })
      .set(auth());
    expect(audit.status).toBe(200);
    const [updated] = audit.body.items as AuditItem[];
    // Whichever wrote last named the device; the rename's "before" is what the other left.
    if (now.name === 'Renamed by ICT') {
      expect(updated.detail).toMatchObject({ previous: { name: 'Laptop after' } });
    } else {
      expect(now.name).toBe('Laptop after');
      expect(updated.detail).toMatchObject({ previous: { name: 'Laptop before' } });
    }
  });
});
