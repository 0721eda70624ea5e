// `npm run demo` (issue 11): the demo school's set-up against a real hub (SQLite or, with
// HUB_TEST_DB, PostgreSQL) gives every role an account that signs in, 30 tablets in "Year 4 Oak"
// online and answering commands, and 10 loan laptops, within 60 s; and the script itself prints
// the console's address and the accounts, and Ctrl-C stops it and deletes its data.
import type { ChildProcessByStdio } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type {
  Asset,
  ClassDto,
  ClassSessionView,
  Device,
  DeviceCommand,
  Loan,
  Page,
  PhotoPage,
  TripSummary,
} from '@app/hub-api';
import { STAFF_ROLES } from '@app/hub-api';
import { HubClient } from '../scripts/demo/hub-client';
import { setUpDemoSchool, type DemoSchool } from '../scripts/demo/demo-school';
import { ADMIN_PASSWORD, startHub, type TestHub } from './support/hub';
import { freePort, spawnEntryPoint } from './support/hub-process';

async function until<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
}

describe('the demo school', () => {
  jest.setTimeout(120_000);

  describe('set up on a hub', () => {
    let hub: TestHub;
    let school: DemoSchool | undefined;
    let stateDir: string;

    beforeAll(async () => {
      hub = await startHub();
      stateDir = path.join(hub.dataDir, 'simulated-devices');
    });

    afterAll(async () => {
      await school?.stop();
      await hub.close();
      fs.rmSync(hub.dataDir, { recursive: true, force: true });
    });

    it('gives every role an account and has 30 tablets online and 10 laptops within 60 s', async () => {
      const started = Date.now();
      school = await setUpDemoSchool(hub.url, ADMIN_PASSWORD, { stateDir });

      expect(school.accounts.map((account) => account.role).sort()).toEqual(
        [...STAFF_ROLES].sort(),
      );
      for (const account of school.accounts) {
        const signedIn = await HubClient.signIn(hub.url, account.username, account.password);
        const me = await signedIn.get<{ roles: string[] }>('/api/auth/me');
        expect(me.roles).toEqual([account.role]);
        // Left for them to accept at first sign-in, as staff would.
        const aup = await signedIn.get<{ acceptedAt: string | null }>('/api/aup');
        expect(aup.acceptedAt).toBeNull();
      }
      await expect(HubClient.signIn(hub.url, 'teacher', 'Not-The-Password1!')).rejects.toThrow(
        /: 401 /,
      );

      const ict = await HubClient.signIn(hub.url, 'ict', accountOf(school, 'ict'), {
        acceptAup: true,
      });
      const groups =
        await ict.get<Array<{ id: string; name: string; members: number }>>('/api/groups');
      const oak = groups.find((group) => group.name === 'Year 4 Oak');
      expect(oak?.members).toBe(30);
      const online = await until('30 tablets online', 60_000 - (Date.now() - started), async () => {
        const page = await ict.get<Page<Device>>(
          `/api/devices?groupId=${oak?.id}&online=true&pageSize=100`,
        );
        return page.total === 30 ? page : undefined;
      });
      expect(online.items.every((device) => device.platform === 'ipados')).toBe(true);
      expect(online.items.map((device) => device.name).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `Oak ${String(i + 1).padStart(2, '0')}`),
      );

      const laptops = await ict.get<Page<Device>>('/api/devices?platform=linux&pageSize=100');
      expect(laptops.total).toBe(10);
      expect(laptops.items.map((device) => [device.name, device.assetTag]).sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => [
          `Loan ${String(i + 1).padStart(2, '0')}`,
          `LOAN-${String(i + 1).padStart(3, '0')}`,
        ]),
      );
      expect(Date.now() - started).toBeLessThan(60_000);

      // The loan laptops are assets; three are lent, LOAN-001 overdue (issue 13).
      const loans = await ict.get<Page<Loan>>('/api/loans?status=open&pageSize=10');
      const overdue = await ict.get<Page<Loan>>('/api/loans?status=overdue&pageSize=10');
      expect(
        [...loans.items, ...overdue.items].map((loan) => [loan.assetTag, loan.borrowerName]).sort(),
      ).toEqual([
        ['LOAN-001', 'Jo Brown'],
        ['LOAN-002', 'Kim Wilson'],
        ['LOAN-003', 'Lee Morgan'],
      ]);
      expect(overdue.items.map((loan) => loan.assetTag)).toEqual(['LOAN-001']);
      const assets = await ict.get<Page<Asset>>('/api/assets?kind=laptop&pageSize=100');
      expect(assets.items.filter((asset) => asset.deviceId !== null)).toHaveLength(10);
      // The trip leader's trip: five tablets checked out, two back.
      const leader = await HubClient.signIn(
        hub.url,
        'tripleader',
        accountOf(school, 'trip_leader'),
        {
          acceptAup: true,
        },
      );
      const trips = await leader.get<Page<TripSummary>>('/api/trips');
      expect(trips.items.map((trip) => [trip.name, trip.status, trip.kitCounts])).toEqual([
        ['Year 4 museum visit', 'out', { ready: 0, out: 3, back: 2, lost: 0 }],
      ]);
      // Its six photos, taken while the tablets were out with it, are the trip's.
      const tripPhotos = await leader.get<PhotoPage>(`/api/photos?tripId=${trips.items[0].id}`);
      expect(tripPhotos.total).toBe(6);

      // The tablets answer commands: a lock reaches acknowledged.
      const tablet = online.items[0];
      const lock = await ict.post<DeviceCommand>(`/api/devices/${tablet.id}/commands`, {
        type: 'device.lock',
        payload: { reason: 'class' },
      });
      await until('the lock acknowledged', 20_000, async () => {
        const commands = await ict.get<Page<DeviceCommand>>(`/api/devices/${tablet.id}/commands`);
        const found = commands.items.find((command) => command.id === lock.id);
        return found?.status === 'acknowledged' ? found : undefined;
      });

      // The class (issue 12): the demo teacher's "Year 4 Oak" over the 30 tablets, with lessons.
      const teacher = await HubClient.signIn(hub.url, 'teacher', accountOf(school, 'teacher'), {
        acceptAup: true,
      });
      const classes = await teacher.get<ClassDto[]>('/api/classes');
      expect(classes.map((item) => item.name)).toEqual(['Year 4 Oak']);
      expect(classes[0].timetable).toContainEqual({ weekday: 1, start: '09:00', end: '10:00' });
      const view = await teacher.get<ClassSessionView>(`/api/classes/${classes[0].id}/session`);
      expect(view.tiles.map((tile) => tile.name).sort()).toEqual(
        Array.from({ length: 30 }, (_, i) => `Oak ${String(i + 1).padStart(2, '0')}`),
      );
    });
  });

  describe('npm run demo', () => {
    let demo: ChildProcessByStdio<null, Readable, Readable> | undefined;

    afterAll(() => {
      if (demo && demo.exitCode === null && demo.signalCode === null) {
        demo.kill('SIGKILL');
      }
    });

    it('prints the console and the accounts, and Ctrl-C stops it and deletes its data', async () => {
      const port = await freePort();
      // The demo makes its own data directory and database: HUB_TEST_DB must not reach it.
      const env: NodeJS.ProcessEnv = { ...process.env, HUB_PORT: String(port) };
      delete env.HUB_TEST_DB;
      demo = spawnEntryPoint('scripts/demo.ts', [], env);
      let stdout = '';
      let stderr = '';
      demo.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      demo.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => demo?.once('exit', resolve));

      await until('the ready block', 100_000, async () => {
        if (demo?.exitCode !== null) {
          throw new Error(`the demo exited:\n${stdout}\n${stderr}`);
        }
        return /Ctrl-C stops the demo/.test(stdout) ? true : undefined;
      });
      expect(stdout).toContain(`Open the console: http://localhost:${port}`);
      const dataDir = /data in (\S+)\)\.\.\./.exec(stdout)?.[1] as string;
      expect(fs.existsSync(dataDir)).toBe(true);
      const accounts = new Map(
        [...stdout.matchAll(/^ {4}(\S.*?) {3,}(\S+) {3,}(Demo-\S+)$/gm)].map((m) => [m[2], m[3]]),
      );
      expect([...accounts.keys()].sort()).toEqual(
        ['admin', 'ict', 'office', 'safeguarding', 'teacher', 'tripleader'].sort(),
      );
      // The printed passwords sign in at the printed address.
      const url = `http://127.0.0.1:${port}`;
      for (const [username, password] of accounts) {
        await HubClient.signIn(url, username, password);
      }
      const admin = await HubClient.signIn(url, 'admin', accounts.get('admin') as string);
      await until('40 devices online', 30_000, async () => {
        const devices = await admin.get<Page<Device>>('/api/devices?online=true&pageSize=1');
        return devices.total === 40 ? true : undefined;
      });

      demo.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(fs.existsSync(dataDir)).toBe(false);
      await expect(fetch(`${url}/api/health`)).rejects.toThrow();
    });
  });
});

function accountOf(school: DemoSchool, role: string): string {
  return school.accounts.find((account) => account.role === role)?.password as string;
}
