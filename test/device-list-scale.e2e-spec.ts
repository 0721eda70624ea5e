// Issue 11: "A school with 10,000 devices still gets a fast device list." The console's Devices
// screen asks GET /api/devices for one page of 50 at a time, with its search and filters; this
// spec fills the real database (SQLite file, or PostgreSQL with HUB_TEST_DB) with 10,000 devices
// and checks that each kind of request the screen makes answers the right page. How fast is a
// figure for a benchmark, not a timed test in CI; the query-plan spec (command-queue-indexes)
// guards the hot statements' indexes.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DeviceEntity, DeviceGroupMemberEntity } from '../apps/hub/src/devices/device.entities';
import { startHub, TestHub } from './support/hub';

const DEVICES = 10_000;
/** Every other device is in the group (5,000 members). */
const IN_GROUP = DEVICES / 2;
/** What the console asks for a page (devices-page.tsx). */
const PAGE_SIZE = 50;

interface DeviceRow {
  id: string;
  name: string | null;
  serialNumber: string;
  assetTag: string | null;
  platform: string;
  online: boolean;
}

interface DevicePage {
  items: DeviceRow[];
  total: number;
  page: number;
  pageSize: number;
}

const name = (i: number) => `Tablet ${String(i).padStart(5, '0')}`;

describe('the device list with 10,000 devices', () => {
  let hub: TestHub;
  let token: string;
  let groupId: string;

  beforeAll(async () => {
    hub = await startHub();
    token = await hub.login();
    const group = await hub.http
      .post('/api/groups')
      .set('Authorization', `Bearer ${token}`)
      .send({ name: 'Half the school' });
    expect(group.status).toBe(201);
    groupId = (group.body as { id: string }).id;

    // Written straight to the database: enrolling 10,000 devices through the API would take
    // minutes, and the list reads only these rows.
    const dataSource = hub.app.get(DataSource);
    const enrolledAt = new Date('2026-09-01T08:00:00Z');
    const devices: DeviceEntity[] = [];
    for (let i = 1; i <= DEVICES; i++) {
      devices.push(
        Object.assign(new DeviceEntity(), {
          id: randomUUID(),
          serialNumber: `SCALE-${String(i).padStart(5, '0')}`,
          platform: i % 4 === 0 ? 'linux' : 'ipados',
          model: null,
          osVersion: null,
          name: name(i),
          assetTag: `TAG-${String(i).padStart(5, '0')}`,
          status: 'active',
          certificatePem: 'not a certificate: listed, never connected',
          certificateSerial: `scale-${i}`,
          enrolledAt,
          createdAt: enrolledAt,
          revokedAt: null,
          online: false,
          lastSeenAt: null,
          hubId: null,
        }),
      );
    }
    for (let start = 0; start < devices.length; start += 200) {
      await dataSource
        .createQueryBuilder()
        .insert()
        .into(DeviceEntity)
        .values(devices.slice(start, start + 200))
        .execute();
    }
    const members = devices
      .filter((_, index) => index % 2 === 0)
      .map((device) =>
        Object.assign(new DeviceGroupMemberEntity(), {
          groupId,
          deviceId: device.id,
          addedAt: enrolledAt,
        }),
      );
    for (let start = 0; start < members.length; start += 300) {
      await dataSource
        .createQueryBuilder()
        .insert()
        .into(DeviceGroupMemberEntity)
        .values(members.slice(start, start + 300))
        .execute();
    }
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
  });

  /** The page the console would get for `query`. */
  async function pageFor(query: string): Promise<DevicePage> {
    const response = await hub.http
      .get(`/api/devices?pageSize=${PAGE_SIZE}&${query}`)
      .set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
    return response.body as DevicePage;
  }

  it('answers the first page, by name, with the count of every device', async () => {
    const page = await pageFor('page=1');
    expect(page.total).toBe(DEVICES);
    expect(page.items).toHaveLength(PAGE_SIZE);
    expect(page.items.map((device) => device.name)).toEqual(
      Array.from({ length: PAGE_SIZE }, (_, i) => name(i + 1)),
    );
  });

  it('answers the last page as fast as the first', async () => {
    const last = Math.ceil(DEVICES / PAGE_SIZE);
    const page = await pageFor(`page=${last}`);
    expect(page.items.map((device) => device.name)).toEqual(
      Array.from({ length: PAGE_SIZE }, (_, i) => name(DEVICES - PAGE_SIZE + i + 1)),
    );
  });

  it('finds one device by part of its serial number or asset tag', async () => {
    const bySerial = await pageFor('search=scale-04321');
    expect(bySerial.items.map((device) => device.name)).toEqual([name(4321)]);
    const byTag = await pageFor('search=tag-09999');
    expect(byTag.items.map((device) => device.serialNumber)).toEqual(['SCALE-09999']);
  });

  it('filters by group, platform and online together, paged', async () => {
    // In the group: the odd-numbered devices (1, 3, 5, ...); of those, none is linux (every
    // fourth device), so the group's ipados devices are all 5,000 of its members.
    const group = await pageFor(`groupId=${groupId}&platform=ipados&online=false&page=3`);
    expect(group.total).toBe(IN_GROUP);
    expect(group.items[0].name).toBe(name(2 * (2 * PAGE_SIZE) + 1));
    const linux = await pageFor(`groupId=${groupId}&platform=linux`);
    expect(linux.total).toBe(0);
    const online = await pageFor('online=true');
    expect(online.total).toBe(0);
    const offlineLinux = await pageFor('platform=linux&online=false&page=2');
    expect(offlineLinux.total).toBe(DEVICES / 4);
    expect(offlineLinux.items[0].name).toBe(name(4 * (PAGE_SIZE + 1)));
  });
});
