// Times in the words a person reads, on the school's clock (HUB_TIME_ZONE), not as RFC 3339: the
// sign-in lock's 429 and the 400 of a date more than a year ahead. RFC 3339 in UTC (or a UTC date
// cut from it) is an hour or a day off a British school's clock all summer, and the console shows
// these messages as they are. Europe/London in June, where UTC and the school's clock differ.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runAdmin } from '../apps/hub/src/admin';
import { AdjustableClock } from '../apps/hub/src/common/clock';
import { createStaff, makeDataDir, startHub, TestHub } from './support/hub';
import { freePort } from './support/hub-process';
import { sqliteOnly } from './support/test-database';

const LOCK_AFTER = 3;
const LOCK_MINUTES = 15;

describe("times in refusals, on the school's clock and in words", () => {
  let hub: TestHub;
  afterAll(() => hub?.close());

  /** Moves the hub's clock to `at` (real time keeps running from there). */
  const setClock = (at: string) => hub.clock.advance(Date.parse(at) - hub.clock.nowMs());

  const signIn = (username: string) =>
    hub.http.post('/api/auth/login').send({ username, password: 'Wrong-Pass1!' });

  /** Fails sign-in for `username` until it is locked; the 429's message. */
  async function lockOut(username: string): Promise<string> {
    for (let i = 0; i < LOCK_AFTER; i++) {
      expect((await signIn(username)).status).toBe(401);
    }
    const locked = await signIn(username);
    expect(locked.status).toBe(429);
    return (locked.body as { message: string }).message;
  }

  beforeAll(async () => {
    hub = await startHub({
      env: {
        HUB_TIME_ZONE: 'Europe/London',
        HUB_LOGIN_SLOW_AFTER: '1',
        HUB_LOGIN_SLOW_DELAY_MS: '10',
        HUB_LOGIN_LOCK_AFTER: String(LOCK_AFTER),
        HUB_LOGIN_LOCK_MINUTES: String(LOCK_MINUTES),
      },
      // 14:20:10 British summer time.
      clockOffsetMs: Date.parse('2027-06-15T13:20:10Z') - Date.now(),
    });
  });

  it('a locked sign-in says when to try again as the school clock reads, to the minute rounded up', async () => {
    // Locked until 13:35:10Z (and a few real milliseconds): 14:35:10 in London; 14:36 is safe.
    expect(await lockOut('nobody-in-june')).toBe('Too many failed sign-ins: try again after 14:36');
  });

  it('a lock that ends on another day there says which day', async () => {
    // 23:49:30 in London: the lock ends at 00:04:30 the next morning there.
    setClock('2027-06-15T22:49:30Z');
    expect(await lockOut('nobody-at-night')).toBe(
      'Too many failed sign-ins: try again after 00:05 on Wednesday 16 June 2027',
    );
  });

  it("a date more than a year ahead is named as the school's calendar has it", async () => {
    setClock('2027-06-15T13:20:10Z');
    const admin = await hub.login();
    const leader = await createStaff(hub, admin, 'msfaraway', ['trip_leader']);
    const made = await hub.http
      .post('/api/assets')
      .set('Authorization', `Bearer ${admin}`)
      .send({ assetTag: 'FAR-01', kind: 'tablet' });
    expect(made.status).toBe(201);
    // 00:30 on Tuesday 20 June 2028 in London; its UTC date is the 19th.
    const farOff = '2028-06-19T23:30:00Z';
    const trip = await hub.http
      .post('/api/trips')
      .set('Authorization', `Bearer ${leader.token}`)
      .send({
        name: 'Year 6 to the coast',
        shortName: 'coast',
        startsAt: '2027-06-16T08:00:00Z',
        endsAt: farOff,
        leaderIds: [leader.id],
        assetTags: ['FAR-01'],
      });
    expect([trip.status, (trip.body as { message: string }).message]).toEqual([
      400,
      'endsAt is more than a year ahead (Tuesday 20 June 2028): check the year',
    ]);
    const loan = await hub.http
      .post('/api/loans')
      .set('Authorization', `Bearer ${admin}`)
      .send({ assetTag: 'FAR-01', borrowerId: leader.id, dueAt: farOff });
    expect([loan.status, (loan.body as { message: string }).message]).toEqual([
      400,
      'dueAt is more than a year ahead (Tuesday 20 June 2028): check the year',
    ]);
  });
});

// `npm run admin -- backup` and `restore` tell ICT when the backup was taken: in the school's time
// and words, then the manifest's own stamp (UTC) to match it by.
sqliteOnly('backup and restore work on the SQLite file')('a backup says when it was taken', () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const dir of folders) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on the school's clock in words, then as the manifest has it", async () => {
    const hub = await startHub();
    folders.push(hub.dataDir);
    await hub.close();
    const out = makeDataDir();
    folders.push(out);
    const file = path.join(out, 'hub.tar.gz');
    const clock = new AdjustableClock();
    // 14:20:10 British summer time.
    clock.advance(Date.parse('2027-06-15T13:20:10Z') - clock.nowMs());
    const env = {
      HUB_LOG_LEVEL: 'silent',
      HUB_PORT: String(await freePort()),
      HUB_TIME_ZONE: 'Europe/London',
    };
    const run = async (args: string[], dataDir: string) => {
      let text = '';
      const code = await runAdmin(
        args,
        { ...env, HUB_DATA_DIR: dataDir },
        { out: (more) => (text += more), err: (more) => (text += more) },
        clock,
      );
      return { code, text };
    };
    const backedUp = await run(['backup', file], hub.dataDir);
    expect(backedUp.code).toBe(0);
    expect(backedUp.text).toMatch(
      /\n {2}taken at: {8}14:20 on Tuesday 15 June 2027 \(2027-06-15T13:20:10\.\d{3}Z\)\n/,
    );
    const restoredDir = path.join(out, 'restored');
    const restored = await run(['restore', file], restoredDir);
    folders.push(restoredDir);
    expect(restored.code).toBe(0);
    expect(restored.text).toMatch(
      /\n {2}taken at: {8}14:20 on Tuesday 15 June 2027 \(2027-06-15T13:20:10\.\d{3}Z\)\n/,
    );
  });
});
