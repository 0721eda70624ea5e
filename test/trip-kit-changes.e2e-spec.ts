// A trip's kit changed after the trip was made (POST /api/trips/:id/kit, DELETE
// /api/trips/:id/kit/:assetTag), through the API with real enrolled tablets connected over
// Socket.IO. A planned trip takes any asset in the register and lets one go (never its last); a
// trip that is out takes only an available asset, which goes out at once with the trip's overlay
// on its device, and refuses one on loan, lost or on another trip, saying why; a device taken
// out of a trip that is out is checked in (available, overlay off) and stays listed as back.
// Two trips adding the same tablet at the same moment, or a trip and the office desk: exactly one
// gets it. Who may change a kit, the refusals of a closed or ended trip, and the audit log.
import type { Asset, Page, Trip } from '@app/hub-api';
import { tripKitPath } from '@app/hub-api';
import type { TestDevice } from './support/devices';
import type { TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';
import {
  cameraOf as cameraSetting,
  kitStatus,
  makeTabletKit,
  makeTrip,
  startTripHub,
  TripPerson,
  waitForApplied as waitForPolicyApplied,
} from './support/trips';

jest.setTimeout(120_000);

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

const as = (token: string) => `Bearer ${token}`;

interface Refusal {
  statusCode: number;
  message: string;
  code?: string;
}

describe(`changing a trip's kit (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let leader: TripPerson;
  let otherLeader: TripPerson;
  let clerk: TripPerson;
  let teacher: TripPerson;
  const tablets = new Map<string, TestDevice>();

  const post = (token: string, path: string, body: object = {}) =>
    hub.http.post(path).set('Authorization', as(token)).send(body);
  const remove = (token: string, path: string) =>
    hub.http.delete(path).set('Authorization', as(token));

  async function get<T>(token: string, path: string): Promise<T> {
    const response = await hub.http.get(path).set('Authorization', as(token));
    if (response.status !== 200) {
      throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body as T;
  }

  const assetOf = (tag: string) => get<Asset>(admin, `/api/assets/by-tag/${tag}`);

  const cameraOf = (tag: string) => cameraSetting(hub, admin, tablets.get(tag)!.identity.deviceId);
  /** Waits until the tablet itself runs the policy the hub resolved for it now. */
  const waitForApplied = (tag: string) => waitForPolicyApplied(hub, admin, tablets.get(tag)!, tag);

  /** `count` tablets, enrolled by serial number and connected, with their assets; then tags. */
  const tabletsOf = async (count: number, unenrolled = 0) =>
    (
      await makeTabletKit(hub, admin, {
        enrolled: count,
        unenrolled,
        prefix: 'KIT',
        keepIn: tablets,
      })
    ).tags;

  const newTrip = (leaderIds: string[], assetTags: string[], endsInMs = 10 * HOUR) =>
    makeTrip(hub, admin, { leaderIds, assetTags, endsInMs });

  async function lendTo(tag: string) {
    return post(clerk.token, '/api/loans', {
      assetTag: tag,
      borrowerId: teacher.id,
      dueAt: new Date(hub.clock.nowMs() + DAY).toISOString(),
    });
  }

  beforeAll(async () => {
    ({ hub, admin, leader, otherLeader, clerk, teacher } = await startTripHub());
  });

  afterAll(async () => {
    tablets.forEach((device) => device.client.close());
    await hub.close();
  });

  it("changes a planned trip's kit: any asset in the register joins ready, one leaves, never the last", async () => {
    const [t1, t2, t3] = await tabletsOf(1, 2);
    const trip = await newTrip([leader.id], [t1]);

    // Typed in lower case, as a scanner may: the kit names the asset as its label does.
    const added = await post(leader.token, tripKitPath(trip.id), { assetTag: t2.toLowerCase() });
    expect(added.status).toBe(200);
    expect(kitStatus(added.body as Trip)).toEqual({ [t1]: 'ready', [t2]: 'ready' });
    expect((added.body as Trip).kitCounts).toEqual({ ready: 2, out: 0, back: 0, lost: 0 });
    // Nothing is held for a planned trip: an asset on loan may join, the check-out decides.
    expect((await lendTo(t3)).status).toBe(201);
    const onLoan = await post(leader.token, tripKitPath(trip.id), { assetTag: t3 });
    expect(onLoan.status).toBe(200);
    expect((await assetOf(t3)).status).toBe('on_loan');
    expect((await assetOf(t2)).status).toBe('available');

    // Refusals, each in words.
    expect((await post(leader.token, tripKitPath(trip.id), { assetTag: t2 })).body).toEqual({
      statusCode: 409,
      message: `${t2} is already in this trip's kit`,
      code: 'already_in_kit',
    });
    expect((await post(leader.token, tripKitPath(trip.id), { assetTag: 'NOPE-404' })).body).toEqual(
      { statusCode: 404, message: 'No asset has the tag NOPE-404' },
    );
    const badTag = await post(leader.token, tripKitPath(trip.id), { assetTag: 'no spaces' });
    expect(badTag.status).toBe(400);
    expect((badTag.body as Refusal).message).toMatch(/^assetTag must be/);
    expect((await remove(leader.token, tripKitPath(trip.id, 'NOT-IN-KIT'))).body).toEqual({
      statusCode: 404,
      message: "NOT-IN-KIT is not in this trip's kit",
    });
    expect((await remove(leader.token, `${tripKitPath(trip.id)}/bad%20tag`)).status).toBe(400);
    // A trip leader who does not lead it, and the office (not a trip role), change nothing.
    expect((await post(otherLeader.token, tripKitPath(trip.id), { assetTag: t2 })).status).toBe(
      403,
    );
    expect((await remove(otherLeader.token, tripKitPath(trip.id, t1))).status).toBe(403);
    expect((await post(clerk.token, tripKitPath(trip.id), { assetTag: t2 })).status).toBe(403);
    expect((await remove(clerk.token, tripKitPath(trip.id, t1))).status).toBe(403);

    // Taken out again (any case): it leaves the kit, and stays in the register as it was.
    const less = await remove(leader.token, tripKitPath(trip.id, t3.toLowerCase()));
    expect(less.status).toBe(200);
    expect(kitStatus(less.body as Trip)).toEqual({ [t1]: 'ready', [t2]: 'ready' });
    expect((await assetOf(t3)).status).toBe('on_loan');
    expect((await remove(leader.token, tripKitPath(trip.id, t2))).status).toBe(200);
    // The last asset stays: a trip takes at least one (closing calls it off).
    expect((await remove(leader.token, tripKitPath(trip.id, t1))).body).toEqual({
      statusCode: 409,
      message: `${t1} is the only asset in the kit: a trip takes at least one (close the trip to call it off)`,
      code: 'last_in_kit',
    });

    // What was added before the check-out goes out with the kit, its tablet with the overlay.
    expect((await post(leader.token, tripKitPath(trip.id), { assetTag: t2 })).status).toBe(200);
    const out = await post(leader.token, `/api/trips/${trip.id}/check-out`);
    expect(out.status).toBe(200);
    expect(kitStatus(out.body as Trip)).toEqual({ [t1]: 'out', [t2]: 'out' });
    expect(await cameraOf(t1)).toEqual({ allowed: true, scope: 'overlay' });

    // Every change is in the audit log, with who made it and which asset.
    const audit = await get<
      Page<{ action: string; actorName: string | null; targetId: string | null; detail: unknown }>
    >(admin, `/api/audit?targetId=${trip.id}&pageSize=50`);
    const changes = audit.items
      .filter((entry) => entry.action.startsWith('trip.kit_'))
      .map((entry) => ({ action: entry.action, by: entry.actorName, detail: entry.detail }))
      .reverse();
    expect(changes).toEqual([
      {
        action: 'trip.kit_added',
        by: 'msleader',
        detail: expect.objectContaining({ assetTag: t2, checkedOut: false, kitSize: 2 }),
      },
      {
        action: 'trip.kit_added',
        by: 'msleader',
        detail: expect.objectContaining({ assetTag: t3, checkedOut: false, kitSize: 3 }),
      },
      {
        action: 'trip.kit_removed',
        by: 'msleader',
        detail: expect.objectContaining({ assetTag: t3, checkedIn: false, kitSize: 2 }),
      },
      {
        action: 'trip.kit_removed',
        by: 'msleader',
        detail: expect.objectContaining({ assetTag: t2, checkedIn: false, kitSize: 1 }),
      },
      {
        action: 'trip.kit_added',
        by: 'msleader',
        detail: expect.objectContaining({ assetTag: t2, checkedOut: false, kitSize: 2 }),
      },
    ]);
  });

  it('adds to a trip that is out only what is available, out at once with the overlay; one taken out is checked in', async () => {
    const [t1, t2, t3, t4, t5] = await tabletsOf(3, 2);
    const trip = await newTrip([leader.id], [t1]);
    expect((await post(leader.token, `/api/trips/${trip.id}/check-out`)).status).toBe(200);

    // An available tablet joins and goes out at once: on the trip, the camera allowed.
    const added = await post(leader.token, tripKitPath(trip.id), { assetTag: t2 });
    expect(added.status).toBe(200);
    expect(kitStatus(added.body as Trip)).toEqual({ [t1]: 'out', [t2]: 'out' });
    expect((await assetOf(t2)).status).toBe('on_trip');
    expect((await assetOf(t2)).currentTripId).toBe(trip.id);
    expect(await cameraOf(t2)).toEqual({ allowed: true, scope: 'overlay' });
    await waitForApplied(t2);
    // Out on the trip, the desk cannot lend it.
    expect((await lendTo(t2)).status).toBe(409);

    // On loan, lost or on another trip: refused, saying why, and nothing changes.
    expect((await lendTo(t4)).status).toBe(201);
    expect((await post(leader.token, tripKitPath(trip.id), { assetTag: t4 })).body).toEqual({
      statusCode: 409,
      message: `${t4} cannot join the kit while it is out: it is on loan`,
      code: 'asset_not_available',
    });
    expect((await post(admin, `/api/assets/${(await assetOf(t5)).id}/lost`)).status).toBe(200);
    expect((await post(leader.token, tripKitPath(trip.id), { assetTag: t5 })).body).toEqual({
      statusCode: 409,
      message: `${t5} cannot join the kit while it is out: it is lost`,
      code: 'asset_not_available',
    });
    const other = await newTrip([otherLeader.id], [t3]);
    expect((await post(otherLeader.token, `/api/trips/${other.id}/check-out`)).status).toBe(200);
    expect((await post(leader.token, tripKitPath(trip.id), { assetTag: t3 })).body).toEqual({
      statusCode: 409,
      message: `${t3} cannot join the kit while it is out: it is on a trip`,
      code: 'asset_not_available',
    });
    expect((await assetOf(t3)).currentTripId).toBe(other.id);
    expect(kitStatus(await get<Trip>(leader.token, `/api/trips/${trip.id}`))).toEqual({
      [t1]: 'out',
      [t2]: 'out',
    });

    // Taken out while out: checked in as it leaves, the overlay off, listed as back.
    const removed = await remove(leader.token, tripKitPath(trip.id, t2));
    expect(removed.status).toBe(200);
    expect(kitStatus(removed.body as Trip)).toEqual({ [t1]: 'out', [t2]: 'back' });
    expect((await assetOf(t2)).status).toBe('available');
    expect(await cameraOf(t2)).toEqual({ allowed: false, scope: 'baseline' });
    await waitForApplied(t2);
    expect(await cameraOf(t1)).toEqual({ allowed: true, scope: 'overlay' });
    // Taken out by mistake: added again, it goes out again with the trip, the overlay back on.
    const again = await post(leader.token, tripKitPath(trip.id), { assetTag: t2 });
    expect(again.status).toBe(200);
    expect(kitStatus(again.body as Trip)).toEqual({ [t1]: 'out', [t2]: 'out' });
    expect((await assetOf(t2)).status).toBe('on_trip');
    expect(await cameraOf(t2)).toEqual({ allowed: true, scope: 'overlay' });
    expect((await remove(leader.token, tripKitPath(trip.id, t2))).status).toBe(200);
    expect(await cameraOf(t2)).toEqual({ allowed: false, scope: 'baseline' });
    // Back (or lost) stays as the trip's record.
    expect((await remove(leader.token, tripKitPath(trip.id, t2))).body).toEqual({
      statusCode: 409,
      message: `${t2} went out with this trip and is back: it stays in the trip's record`,
      code: 'kept_in_record',
    });
    expect((await post(leader.token, `/api/trips/${trip.id}/lost`, { assetTag: t1 })).status).toBe(
      200,
    );
    expect((await post(leader.token, tripKitPath(trip.id), { assetTag: t1 })).body).toEqual({
      statusCode: 409,
      message: `${t1} is in this trip's kit already, reported lost`,
      code: 'already_in_kit',
    });
    expect((await remove(leader.token, tripKitPath(trip.id, t1))).body).toEqual({
      statusCode: 409,
      message: `${t1} was reported lost on this trip: it stays in the trip's record`,
      code: 'kept_in_record',
    });

    // Closed: the kit changes no more.
    expect((await post(leader.token, `/api/trips/${trip.id}/close`)).status).toBe(200);
    expect((await post(leader.token, tripKitPath(trip.id), { assetTag: t2 })).body).toEqual({
      statusCode: 409,
      message: 'This trip is closed',
      code: 'trip_closed',
    });
    expect((await remove(leader.token, tripKitPath(trip.id, t2))).body).toEqual({
      statusCode: 409,
      message: 'This trip is closed',
      code: 'trip_closed',
    });

    const audit = await get<Page<{ action: string; detail: Record<string, unknown> }>>(
      admin,
      `/api/audit?targetId=${trip.id}&pageSize=50`,
    );
    expect(
      audit.items
        .filter((entry) => entry.action.startsWith('trip.kit_'))
        .map((entry) => [entry.action, entry.detail.assetTag, entry.detail.deviceId])
        .reverse(),
    ).toEqual([
      ['trip.kit_added', t2, tablets.get(t2)!.identity.deviceId],
      ['trip.kit_removed', t2, tablets.get(t2)!.identity.deviceId],
      ['trip.kit_added', t2, tablets.get(t2)!.identity.deviceId],
      ['trip.kit_removed', t2, tablets.get(t2)!.identity.deviceId],
    ]);
  });

  it('never puts one tablet on two trips, nor on a trip and a loan, when both ask at the same moment', async () => {
    for (let round = 1; round <= 4; round += 1) {
      const [shared, a, b] = await tabletsOf(1, 2);
      const first = await newTrip([leader.id], [a]);
      const second = await newTrip([otherLeader.id], [b]);
      expect((await post(leader.token, `/api/trips/${first.id}/check-out`)).status).toBe(200);
      expect((await post(otherLeader.token, `/api/trips/${second.id}/check-out`)).status).toBe(200);
      // Odd rounds: two trips; even rounds: a trip and the office desk.
      const answers = await Promise.all([
        post(leader.token, tripKitPath(first.id), { assetTag: shared }),
        round % 2 === 1
          ? post(otherLeader.token, tripKitPath(second.id), { assetTag: shared })
          : lendTo(shared),
      ]);
      // Exactly one gets it; the other is refused.
      expect(answers.filter((answer) => [200, 201].includes(answer.status))).toHaveLength(1);
      expect(answers.filter((answer) => answer.status === 409)).toHaveLength(1);
      const asset = await assetOf(shared);
      const holders = [
        kitStatus(await get<Trip>(admin, `/api/trips/${first.id}`))[shared],
        kitStatus(await get<Trip>(admin, `/api/trips/${second.id}`))[shared],
      ].filter(Boolean);
      if (asset.status === 'on_trip') {
        // Exactly one trip has it out, the one the asset names, with its overlay.
        expect(holders).toEqual(['out']);
        expect([first.id, second.id]).toContain(asset.currentTripId);
        expect(await cameraOf(shared)).toEqual({ allowed: true, scope: 'overlay' });
      } else {
        expect(asset.status).toBe('on_loan');
        expect(holders).toEqual([]);
        expect(await cameraOf(shared)).toEqual({ allowed: false, scope: 'baseline' });
      }
      // The refusal says why in words.
      const refused = answers.find((answer) => answer.status === 409)!;
      expect((refused.body as Refusal).message).toMatch(
        /on a trip|on loan|not available|same moment/,
      );
    }
  });

  it('takes nothing more into the kit of a trip that has ended, and still lets one be checked in', async () => {
    const [t1, t2, t3] = await tabletsOf(0, 3);
    const trip = await newTrip([leader.id], [t1, t2], 2 * HOUR);
    expect((await post(leader.token, `/api/trips/${trip.id}/check-out`)).status).toBe(200);
    hub.clock.advance(3 * HOUR);
    const late = await post(leader.token, tripKitPath(trip.id), { assetTag: t3 });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'trip_ended' });
    expect((late.body as Refusal).message).toMatch(
      /^This trip ended at .*: nothing more can join its kit$/,
    );
    // A kit that comes back late is still accounted for: taken out, it is checked in.
    const back = await remove(leader.token, tripKitPath(trip.id, t2));
    expect(back.status).toBe(200);
    expect(kitStatus(back.body as Trip)).toEqual({ [t1]: 'out', [t2]: 'back' });
    expect((await assetOf(t2)).status).toBe('available');
  });
});
