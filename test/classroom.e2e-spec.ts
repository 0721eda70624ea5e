// Classroom (issue 12), end to end with real devices: a teacher locks a class of 30 and every tile
// turns locked on a watching console; a tablet offline during the lock is locked when it comes
// back; the end of a session unlocks every tablet, also one that was offline and comes back after
// the end; a lost-device lock survives a class unlock and the end; two teachers acting at once end
// with the highest `seq` in force on every tablet; a teacher of another class gets 403.
import type { ClassActionAccepted, ClassSessionView, ClassTile } from '@app/hub-api';
import { waitFor, waitForConnect } from './support/devices';
import {
  act,
  as,
  connectWatcher,
  setUpClass,
  startSession,
  TestClass,
  waitForLocked,
} from './support/classroom';
import { createStaff, startHub, TestHub } from './support/hub';
import { ClassSessionsService } from '../apps/hub/src/classroom/class-sessions.service';
import { ClassActionDto } from '../apps/hub/src/classroom/dto/class.dto';
import type { StaffPrincipal } from '../apps/hub/src/common/roles';
import { runWithRequestContext } from '../apps/hub/src/common/request-context';
import { TransactionRunner } from '../apps/hub/src/database/transaction-runner';
import { ClassesRepository } from '../apps/hub/src/classroom/classes.repository';
import { AuthService } from '../apps/hub/src/staff/auth.service';

describe('classroom sessions', () => {
  let hub: TestHub;
  let admin: string;
  const classes: TestClass[] = [];
  const sockets: { socket: { disconnect(): void } }[] = [];

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
  });
  afterEach(() => {
    sockets.splice(0).forEach((watcher) => watcher.socket.disconnect());
    classes.splice(0).forEach((c) => c.devices.forEach((device) => device.client.close()));
  });
  afterAll(() => hub.close());

  async function newClass(size: number) {
    const made = await setUpClass(hub, admin, size);
    classes.push(made);
    return made;
  }

  async function auditOf(classId: string) {
    const response = await hub.http
      .get(`/api/audit?targetType=class&targetId=${classId}&pageSize=100`)
      .set('Authorization', as(admin));
    expect(response.status).toBe(200);
    return (
      response.body as {
        items: { action: string; correlationId: string; detail: Record<string, unknown> }[];
      }
    ).items;
  }

  it('locks 30 tablets: all locked and acknowledged, and every tile turns locked on a watching console', async () => {
    const klass = await newClass(30);
    const watcher = await connectWatcher(hub, klass.teacher.token);
    sockets.push(watcher);
    const session = await startSession(hub, klass.teacher.token, klass.classId);

    const ack = await watcher.watch(klass.classId);
    expect(ack.ok).toBe(true);
    expect(watcher.tiles.size).toBe(30);
    expect([...watcher.tiles.values()].every((tile) => tile.locked === false)).toBe(true);

    const locked = await act(hub, klass.teacher.token, klass.classId, {
      action: 'lock',
      message: 'Eyes on me',
    });
    expect(locked.status).toBe(202);
    const accepted = locked.body as ClassActionAccepted;
    expect(accepted.deviceIds.sort()).toEqual([...klass.deviceIds].sort());
    expect(accepted.seq).toBe(1);

    await waitForLocked(klass.devices, true, 'all 30 locked');
    expect(klass.devices.every((device) => device.enforcer.lockMessage === 'Eyes on me')).toBe(
      true,
    );
    await waitFor(
      () =>
        [...watcher.tiles.values()].filter((tile) => tile.locked === true && !tile.pending)
          .length === 30,
      'every tile locked and not pending on the watching console',
      20_000,
    );

    // Acknowledged, as the device's command history says.
    for (const deviceId of klass.deviceIds.slice(0, 3)) {
      const history = await hub.http
        .get(`/api/devices/${deviceId}/commands`)
        .set('Authorization', as(klass.teacher.token));
      const lock = (history.body as { items: { type: string; status: string }[] }).items.find(
        (c) => c.type === 'device.lock',
      );
      expect(lock?.status).toBe('acknowledged');
    }

    const view = await hub.http
      .get(`/api/classes/${klass.classId}/session`)
      .set('Authorization', as(klass.teacher.token));
    expect(view.status).toBe(200);
    const body = view.body as ClassSessionView;
    expect(body.session?.id).toBe(session.id);
    expect(body.tiles).toHaveLength(30);
    expect(body.tiles[0]).toEqual(
      expect.objectContaining({
        name: 'Tablet 01',
        online: true,
        locked: true,
        absent: false,
        pending: false,
        lockOwner: 'class',
      }),
    );
    const entry = (await auditOf(klass.classId)).find((e) => e.action === 'class.action');
    expect(entry?.detail).toEqual(
      expect.objectContaining({ classId: klass.classId, sessionId: session.id, seq: 1 }),
    );
  });

  it('locks a tablet that was offline during the lock when it comes back', async () => {
    const klass = await newClass(3);
    const [away, ...present] = klass.devices;
    away.client.close();
    await waitFor(async () => {
      const view = await hub.http
        .get(`/api/classes/${klass.classId}/session`)
        .set('Authorization', as(klass.teacher.token));
      return (view.body as ClassSessionView).tiles.some((t) => !t.online);
    }, 'the tile offline');
    await startSession(hub, klass.teacher.token, klass.classId);
    expect((await act(hub, klass.teacher.token, klass.classId, { action: 'lock' })).status).toBe(
      202,
    );
    await waitForLocked(present, true, 'the present tablets locked');
    expect(away.enforcer.currentState().locked).toBe(false);

    away.client.connect();
    await waitForConnect(away);
    await waitForLocked([away], true, 'the returning tablet locked');
  });

  it('unlocks every tablet at the end, also one offline then that comes back after the end, which no stale lock reaches', async () => {
    const klass = await newClass(4);
    const [late, ...rest] = klass.devices;
    await startSession(hub, klass.teacher.token, klass.classId);
    // Keep one in an app too: the end leaves single-app mode.
    expect(
      (
        await act(hub, klass.teacher.token, klass.classId, {
          action: 'app.lock',
          appId: 'org.school.maths',
        })
      ).status,
    ).toBe(202);
    await waitFor(
      () => klass.devices.every((d) => d.enforcer.currentState().appLock === 'org.school.maths'),
      'all in the app',
    );
    late.client.close();
    expect((await act(hub, klass.teacher.token, klass.classId, { action: 'lock' })).status).toBe(
      202,
    );
    await waitForLocked(rest, true, 'the connected tablets locked');

    const ended = await hub.http
      .delete(`/api/classes/${klass.classId}/session`)
      .set('Authorization', as(klass.teacher.token));
    expect(ended.status).toBe(200);
    expect((ended.body as { endedAt: string | null }).endedAt).not.toBeNull();
    await waitForLocked(rest, false, 'the connected tablets unlocked');
    await waitFor(
      () => rest.every((d) => d.enforcer.currentState().appLock === null),
      'single-app mode left',
    );

    // The late tablet never got the lock, which was queued for it: after the end it must not.
    late.client.connect();
    await waitForConnect(late);
    await waitFor(
      () => late.enforcer.currentState().appLock === null,
      'the late one out of the app',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(late.enforcer.executed.map((c) => c.type)).not.toContain('device.lock');
    expect(late.enforcer.currentState().locked).toBe(false);

    // A tablet that comes back locked (it was locked before it went) is unlocked by desired state.
    const again = await startSession(hub, klass.teacher.token, klass.classId);
    expect(again.id).toBeDefined();
    expect((await act(hub, klass.teacher.token, klass.classId, { action: 'lock' })).status).toBe(
      202,
    );
    await waitForLocked(klass.devices, true, 'all locked again');
    const [gone] = rest;
    gone.client.close();
    expect(
      (
        await hub.http
          .delete(`/api/classes/${klass.classId}/session`)
          .set('Authorization', as(klass.teacher.token))
      ).status,
    ).toBe(200);
    gone.client.connect();
    await waitForConnect(gone);
    await waitForLocked([gone], false, 'the tablet that came back locked unlocked');

    // No session any more: actions are 409, the end 404.
    expect((await act(hub, klass.teacher.token, klass.classId, { action: 'lock' })).status).toBe(
      409,
    );
    expect(
      (
        await hub.http
          .delete(`/api/classes/${klass.classId}/session`)
          .set('Authorization', as(klass.teacher.token))
      ).status,
    ).toBe(404);
    const actions = (await auditOf(klass.classId)).map((e) => e.action);
    expect(actions.filter((a) => a === 'class.session_ended')).toHaveLength(2);
  });

  it('shows in a tile a report that reached the hub just before the class was watched', async () => {
    const klass = await newClass(2);
    const watcher = await connectWatcher(hub, klass.teacher.token);
    sockets.push(watcher);
    const [tablet] = klass.devices;
    const [deviceId] = klass.deviceIds;
    // The teacher's console hears of the report (the devices room) once the hub has it; the
    // device's row takes it a little later (presence writes are gathered for up to 200 ms).
    const reported = new Promise<void>((resolve) =>
      watcher.socket.on(
        'device.state',
        (event: { deviceId: string; state: { battery: number } }) => {
          if (event.deviceId === deviceId && event.state.battery === 17) {
            resolve();
          }
        },
      ),
    );
    tablet.enforcer.simulateLocalChange({ battery: 17 });
    await reported;
    expect((await watcher.watch(klass.classId)).ok).toBe(true);
    await waitFor(
      () => watcher.tiles.get(deviceId)?.battery === 17,
      'the tile to show the battery reported',
      3000,
      () => `tile: ${JSON.stringify(watcher.tiles.get(deviceId))}`,
    );
  });

  it('misses no report on a console that watches its class again as the tablets report', async () => {
    const klass = await newClass(10);
    const watcher = await connectWatcher(hub, klass.teacher.token);
    sockets.push(watcher);
    expect((await watcher.watch(klass.classId)).ok).toBe(true);
    // Each round: the console watches the class again (as it does when it reads the grid
    // afresh) while every tablet reports a new battery level. As the console does, a watch
    // during which tiles arrived is followed by another, since its snapshot may be older.
    let tilesSeen = 0;
    watcher.socket.on('class.tile', () => (tilesSeen += 1));
    for (let round = 1; round <= 8; round += 1) {
      const battery = 50 + round;
      const before = tilesSeen;
      const watched = watcher.watch(klass.classId);
      klass.devices.forEach((device) => device.enforcer.simulateLocalChange({ battery }));
      expect((await watched).ok).toBe(true);
      if (tilesSeen !== before) {
        expect((await watcher.watch(klass.classId)).ok).toBe(true);
      }
      await waitFor(
        () => klass.deviceIds.every((id) => watcher.tiles.get(id)?.battery === battery),
        `round ${round}: every tile to show battery ${battery}`,
        3000,
        () =>
          klass.deviceIds
            .map((id) => `${watcher.tiles.get(id)?.name}: ${watcher.tiles.get(id)?.battery}`)
            .join(', '),
      );
    }
  });

  it('keeps other consoles watching when one watch fails to read, and leaves the failed one out', async () => {
    const klass = await newClass(2);
    const [deviceId] = klass.deviceIds;
    const first = await connectWatcher(hub, klass.teacher.token);
    const second = await connectWatcher(hub, klass.teacher.token);
    sockets.push(first, second);
    expect((await first.watch(klass.classId)).ok).toBe(true);

    // The second console's watch fails at its first read (the database gave an error).
    const repository = hub.app.get(ClassesRepository);
    const read = jest
      .spyOn(repository, 'deviceIdsOf')
      .mockRejectedValueOnce(new Error('the database is unavailable'));
    try {
      expect(await second.watch(klass.classId)).toEqual({ ok: false, error: 'unavailable' });
    } finally {
      read.mockRestore();
    }

    // The first still hears its tablets; the second, which holds no watch, hears nothing.
    const heard = second.events.length;
    klass.devices[0].enforcer.simulateLocalChange({ battery: 33 });
    await waitFor(
      () => first.tiles.get(deviceId)?.battery === 33,
      'the first console to see the report',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(second.events.slice(heard)).toEqual([]);
  });

  it("refuses a watch in flight when the class's teachers change meanwhile", async () => {
    const klass = await newClass(1);
    const other = await createStaff(hub, admin, `newteacher${process.pid}`, ['teacher']);
    const watcher = await connectWatcher(hub, klass.teacher.token);
    sockets.push(watcher);
    // The watch is held at its read of the session until the teachers have changed.
    const repository = hub.app.get(ClassesRepository);
    const original = repository.runningSession.bind(repository);
    let reached!: () => void;
    const atRead = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const read = jest
      .spyOn(repository, 'runningSession')
      .mockImplementationOnce(async (...args: Parameters<typeof original>) => {
        reached();
        await released;
        return original(...args);
      });
    try {
      const answer = watcher.watch(klass.classId);
      await atRead;
      const patched = await hub.http
        .patch(`/api/classes/${klass.classId}`)
        .set('Authorization', as(admin))
        .send({ teacherIds: [other.id] });
      expect(patched.status).toBe(200);
      release();
      expect(await answer).toEqual({ ok: false, error: 'forbidden' });
    } finally {
      read.mockRestore();
    }
    const heard = watcher.events.length;
    klass.devices[0].enforcer.simulateLocalChange({ battery: 44 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watcher.events.slice(heard)).toEqual([]);
  });

  it('hears nothing more once it unwatches, though a watch of the class was still in flight', async () => {
    const klass = await newClass(2);
    const watcher = await connectWatcher(hub, klass.teacher.token);
    sockets.push(watcher);
    expect((await watcher.watch(klass.classId)).ok).toBe(true);
    // The page reads the grid afresh and closes at once: the watch and the unwatch go together.
    const again = watcher.watch(klass.classId);
    const closed = watcher.socket
      .timeout(10_000)
      .emitWithAck('class.unwatch', { classId: klass.classId });
    expect((await again).ok).toBe(true);
    expect(await closed).toEqual({ ok: true });
    const heard = watcher.events.length;
    klass.devices.forEach((device) => device.enforcer.simulateLocalChange({ battery: 55 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(watcher.events.slice(heard)).toEqual([]);
  });

  it('gives a teacher of another class 403, on the API and on class.watch', async () => {
    const mine = await newClass(1);
    const other = await createStaff(hub, admin, `other${process.pid}`, ['teacher']);
    for (const [method, path, body] of [
      ['get', `/api/classes/${mine.classId}`, undefined],
      ['get', `/api/classes/${mine.classId}/session`, undefined],
      ['post', `/api/classes/${mine.classId}/session`, {}],
      ['post', `/api/classes/${mine.classId}/session/actions`, { action: 'lock' }],
      ['put', `/api/classes/${mine.classId}/session/absent`, { deviceIds: [], absent: true }],
      ['delete', `/api/classes/${mine.classId}/session`, undefined],
    ] as const) {
      const call = hub.http[method](path).set('Authorization', as(other.token));
      const response = await (body ? call.send(body) : call);
      expect([method, path, response.status]).toEqual([method, path, 403]);
    }
    const list = await hub.http.get('/api/classes').set('Authorization', as(other.token));
    expect(list.body).toEqual([]);
    // ICT-only routes.
    expect(
      (
        await hub.http
          .patch(`/api/classes/${mine.classId}`)
          .set('Authorization', as(mine.teacher.token))
          .send({ name: 'Mine now' })
      ).status,
    ).toBe(403);

    const watcher = await connectWatcher(hub, other.token);
    sockets.push(watcher);
    expect(await watcher.watch(mine.classId)).toEqual({ ok: false, error: 'forbidden' });
    expect(await watcher.watch('not a uuid')).toEqual({ ok: false, error: 'invalid' });
    const own = await connectWatcher(hub, mine.teacher.token);
    sockets.push(own);
    expect((await own.watch(mine.classId)).ok).toBe(true);

    // Taken off the class, the teacher's console is told its watch has ended, hears nothing
    // more of the class's tablets, and is refused when it watches again.
    const unwatched = new Promise((resolve) => own.socket.once('class.unwatched', resolve));
    expect(
      (
        await hub.http
          .patch(`/api/classes/${mine.classId}`)
          .set('Authorization', as(admin))
          .send({ teacherIds: [other.id] })
      ).status,
    ).toBe(200);
    expect(await unwatched).toEqual({ classId: mine.classId, error: 'forbidden' });
    const heardBefore = own.events.length;
    const newcomer = await connectWatcher(hub, other.token);
    sockets.push(newcomer);
    expect((await newcomer.watch(mine.classId)).ok).toBe(true);
    mine.devices[0].enforcer.simulateLocalChange({ battery: 9 });
    await waitFor(
      () => newcomer.tiles.get(mine.deviceIds[0])?.battery === 9,
      "the class's new teacher to see the report",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(own.events.slice(heardBefore)).toEqual([]);
    expect(await own.watch(mine.classId)).toEqual({ ok: false, error: 'forbidden' });
  });

  it('leaves a lost-device lock in place through a class unlock and the end', async () => {
    const klass = await newClass(3);
    const [lost] = klass.deviceIds;
    const lostLock = await hub.http
      .post(`/api/devices/${lost}/commands`)
      .set('Authorization', as(admin))
      .send({ type: 'device.lock', payload: { reason: 'lost', message: 'Return to ICT' } });
    expect(lostLock.status).toBe(201);
    await waitForLocked([klass.devices[0]], true, 'the lost tablet locked');

    await startSession(hub, klass.teacher.token, klass.classId);
    const locked = await act(hub, klass.teacher.token, klass.classId, { action: 'lock' });
    expect((locked.body as ClassActionAccepted).skipped).toEqual([
      { deviceId: lost, owner: 'lost' },
    ]);
    await waitForLocked(klass.devices, true, 'all locked');
    const unlocked = await act(hub, klass.teacher.token, klass.classId, { action: 'unlock' });
    expect(unlocked.status).toBe(202);
    expect((unlocked.body as ClassActionAccepted).deviceIds).not.toContain(lost);
    await waitForLocked(klass.devices.slice(1), false, 'the class unlocked');
    expect(klass.devices[0].enforcer.currentState().locked).toBe(true);

    // ICT acting through the class acts as the class: it does not lift the lost lock either.
    expect((await act(hub, admin, klass.classId, { action: 'unlock' })).status).toBe(202);
    await hub.http.delete(`/api/classes/${klass.classId}/session`).set('Authorization', as(admin));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(klass.devices[0].enforcer.currentState().locked).toBe(true);
    expect(klass.devices[0].enforcer.lockMessage).toBe('Return to ICT');
  });

  it('ends with the last action in force on every tablet when two teachers lock and unlock at once', async () => {
    const klass = await newClass(10);
    const second = await createStaff(hub, admin, `second${process.pid}`, ['teacher']);
    expect(
      (
        await hub.http
          .patch(`/api/classes/${klass.classId}`)
          .set('Authorization', as(admin))
          .send({ teacherIds: [klass.teacher.id, second.id] })
      ).status,
    ).toBe(200);
    await startSession(hub, klass.teacher.token, klass.classId);
    for (let round = 0; round < 5; round += 1) {
      const results = await Promise.all([
        act(hub, klass.teacher.token, klass.classId, { action: 'lock' }),
        act(hub, second.token, klass.classId, { action: 'unlock' }),
        act(hub, klass.teacher.token, klass.classId, { action: 'unlock' }),
        act(hub, second.token, klass.classId, { action: 'lock' }),
      ]);
      results.forEach((r) => expect(r.status).toBe(202));
      const bodies = results.map((r) => r.body as ClassActionAccepted);
      expect(new Set(bodies.map((b) => b.seq)).size).toBe(4);
      const actions = ['lock', 'unlock', 'unlock', 'lock'];
      const last = actions[bodies.indexOf(bodies.reduce((a, b) => (b.seq > a.seq ? b : a)))];
      const wantLocked = last === 'lock';
      await waitForLocked(klass.devices, wantLocked, `round ${round}: every tablet ${last}ed`);
      const view = await hub.http
        .get(`/api/classes/${klass.classId}/session`)
        .set('Authorization', as(klass.teacher.token));
      const tiles = (view.body as ClassSessionView).tiles;
      await waitFor(async () => {
        const again = await hub.http
          .get(`/api/classes/${klass.classId}/session`)
          .set('Authorization', as(klass.teacher.token));
        return (again.body as ClassSessionView).tiles.every(
          (t: ClassTile) => t.locked === wantLocked && !t.pending,
        );
      }, `round ${round}: tiles settled`);
      expect(tiles).toHaveLength(10);
    }
  });

  it('acts on classes asked at the same moment, each on its own tablets with its own number and audit entries, and a refused request leaves nothing', async () => {
    const a = await newClass(5);
    const b = await newClass(5);
    const c = await newClass(5);
    for (const klass of [a, b, c]) {
      await startSession(hub, klass.teacher.token, klass.classId);
    }
    const ids = ['batch-a-lock', 'batch-b-lock', 'batch-c-refused', 'batch-b-message'].map(
      (name) => `${name}-${process.pid}`,
    );
    const auth = hub.app.get(AuthService);
    const [teacherA, teacherB] = await Promise.all(
      [a, b].map(async (klass) => (await auth.authenticate(klass.teacher.token)) as StaffPrincipal),
    );
    const asked: Array<[StaffPrincipal, string, object]> = [
      [teacherA, a.classId, { action: 'lock', message: 'Eyes on me' }],
      [teacherB, b.classId, { action: 'lock' }],
      [teacherA, c.classId, { action: 'lock' }],
      [teacherB, b.classId, { action: 'message', text: 'Well done' }],
    ];
    // Asked while the database is busy, as at the start of a lesson: on SQLite the four wait
    // together and are taken as one batch (TransactionRunner.runBatch).
    const tx = hub.app.get(TransactionRunner);
    let release!: () => void;
    const busy = tx.run(() => new Promise<void>((resolve) => (release = resolve)));
    const sessions = hub.app.get(ClassSessionsService);
    const answers = asked.map(([actor, classId, body], index) =>
      runWithRequestContext({ correlationId: ids[index] }, () =>
        sessions.act(actor, classId, body as ClassActionDto),
      ).then(
        (accepted) => ({ status: 202, body: accepted }),
        (error: { getStatus?: () => number }) => ({
          status: error.getStatus?.() ?? 500,
          body: null,
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await busy;
    const results = await Promise.all(answers);
    expect(results.map((r) => r.status)).toEqual([202, 202, 403, 202]);
    await waitForLocked(a.devices, true, 'class a locked');
    await waitForLocked(b.devices, true, 'class b locked');
    await waitFor(
      () => b.devices.every((device) => device.enforcer.messages.length === 1),
      'class b shown its message',
    );
    expect(b.devices[0].enforcer.messages[0]).toMatchObject({ text: 'Well done' });
    expect(a.devices[0].enforcer.lockMessage).toBe('Eyes on me');
    expect(b.devices[0].enforcer.lockMessage).toBeNull();
    const [lockB, messageB] = [results[1].body, results[3].body] as ClassActionAccepted[];
    // In the order asked on SQLite (one batch); on PostgreSQL whichever takes the class first.
    expect(messageB.seq).not.toBe(lockB.seq);
    // The refused request queued nothing and audited nothing; c's tablets stay unlocked.
    expect(c.devices.every((device) => !device.enforcer.currentState().locked)).toBe(true);
    expect((await auditOf(c.classId)).filter((e) => e.action === 'class.action')).toEqual([]);
    const commandsOfC = await hub.http
      .get(`/api/devices/${c.deviceIds[0]}/commands`)
      .set('Authorization', as(admin));
    expect(commandsOfC.status).toBe(200);
    expect(
      (commandsOfC.body as { items: { type: string }[] }).items.filter(
        (command) => command.type !== 'policy.apply',
      ),
    ).toEqual([]);
    // Each action's entry names its own request, number and tablets.
    const entries = async (classId: string) =>
      (await auditOf(classId))
        .filter((e) => e.action === 'class.action')
        .map((e) => ({ request: e.correlationId, seq: e.detail.seq, devices: e.detail.devices }));
    expect(await entries(a.classId)).toEqual([
      { request: ids[0], seq: (results[0].body as ClassActionAccepted).seq, devices: 5 },
    ]);
    expect(new Set(await entries(b.classId))).toEqual(
      new Set([
        { request: ids[1], seq: lockB.seq, devices: 5 },
        { request: ids[3], seq: messageB.seq, devices: 5 },
      ]),
    );
    // A tablet's command entry is its own request's too.
    const issued = await hub.http
      .get(`/api/audit?action=command.issued&targetType=device&targetId=${a.deviceIds[0]}`)
      .set('Authorization', as(admin));
    expect(
      (issued.body as { items: { correlationId: string }[] }).items.map((e) => e.correlationId),
    ).toEqual([ids[0]]);
  });

  it('marks tablets absent so actions leave them out, and answers 409 for a second session', async () => {
    const klass = await newClass(3);
    await startSession(hub, klass.teacher.token, klass.classId);
    const again = await hub.http
      .post(`/api/classes/${klass.classId}/session`)
      .set('Authorization', as(klass.teacher.token))
      .send({});
    expect(again.status).toBe(409);
    const absent = await hub.http
      .put(`/api/classes/${klass.classId}/session/absent`)
      .set('Authorization', as(klass.teacher.token))
      .send({ deviceIds: [klass.deviceIds[2]], absent: true });
    expect(absent.status).toBe(200);
    expect(
      (absent.body as ClassSessionView).tiles.filter((t) => t.absent).map((t) => t.deviceId),
    ).toEqual([klass.deviceIds[2]]);
    // The log names the tablet, not only its id (issue 9).
    const marked = (await auditOf(klass.classId)).find((e) => e.action === 'class.absence_marked');
    expect(marked?.detail).toMatchObject({
      deviceIds: [klass.deviceIds[2]],
      tablets: [expect.stringMatching(/^Tablet 03 \(asset tag T-\d+-3\)$/)],
    });
    const locked = await act(hub, klass.teacher.token, klass.classId, { action: 'lock' });
    expect((locked.body as ClassActionAccepted).deviceIds.sort()).toEqual(
      klass.deviceIds.slice(0, 2).sort(),
    );
    await waitForLocked(klass.devices.slice(0, 2), true, 'the present two locked');
    expect(klass.devices[2].enforcer.currentState().locked).toBe(false);
    // Bad input.
    for (const body of [
      { action: 'lock', appId: 'x' },
      { action: 'app.lock' },
      { action: 'camera.allow', minutes: 0 },
      { action: 'camera.allow', minutes: 241 },
      { action: 'explode' },
      { action: 'lock', deviceIds: ['00000000-0000-4000-8000-000000000000'] },
      { action: 'unlock', deviceIds: [] },
    ]) {
      expect([body, (await act(hub, klass.teacher.token, klass.classId, body)).status]).toEqual([
        body,
        400,
      ]);
    }
  });

  it('keeps tablets only in an app their policy allows', async () => {
    const klass = await newClass(2);
    const policy = await hub.http
      .post('/api/policies')
      .set('Authorization', as(admin))
      .send({
        name: `Apps ${klass.classId}`,
        settings: {
          apps: {
            mode: 'allowlist',
            allowed: ['org.devicehub.agent', 'org.devicehub.ipad', 'org.school.maths'],
          },
        },
      });
    expect(policy.status).toBe(201);
    const assigned = await hub.http
      .post(`/api/policies/${(policy.body as { id: string }).id}/assignments`)
      .set('Authorization', as(admin))
      .send({ scope: 'group', targetId: klass.groupId });
    expect(assigned.status).toBe(201);
    await startSession(hub, klass.teacher.token, klass.classId);
    const refused = await act(hub, klass.teacher.token, klass.classId, {
      action: 'app.lock',
      appId: 'com.games.fun',
    });
    expect(refused.status).toBe(400);
    expect((refused.body as { message: string }).message).toMatch(/com\.games\.fun/);
    const kept = await act(hub, klass.teacher.token, klass.classId, {
      action: 'app.lock',
      appId: 'org.school.maths',
    });
    expect(kept.status).toBe(202);
    await waitFor(
      () => klass.devices.every((d) => d.enforcer.currentState().appLock === 'org.school.maths'),
      'kept in the maths app',
    );
  });

  it('defaults the end to the timetabled lesson in progress, else 60 minutes', async () => {
    const now = hub.clock.now();
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(now);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
    const minutes = Number(get('hour')) * 60 + Number(get('minute'));
    // Too near midnight for a lesson that ends today: the hub's clock goes 15 minutes on, but
    // only once the tablets are enrolled and connected, since a device's proof must be within
    // its window of the hub's clock (protocol section 2) and theirs keep the real time.
    const nearMidnight = minutes > 23 * 60 + 50;
    const m = nearMidnight ? (minutes + 15) % (24 * 60) : minutes;
    const wd = nearMidnight ? (weekday % 7) + 1 : weekday;
    const hhmm = (total: number) =>
      `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
    const end = Math.min(m + 5, 23 * 60 + 59);
    const timetabled = await setUpClass(hub, admin, 1, {
      timetable: [{ weekday: wd, start: hhmm(m), end: hhmm(end) }],
    });
    classes.push(timetabled);
    const plain = await newClass(1);
    if (nearMidnight) {
      hub.clock.advance(15 * 60_000);
    }
    const at = hub.clock.now();
    const session = await startSession(hub, timetabled.teacher.token, timetabled.classId);
    const endsAt = Date.parse(session.endsAt);
    expect(endsAt - at.getTime()).toBeLessThanOrEqual((end - m) * 60_000 + 1000);
    expect(endsAt - at.getTime()).toBeGreaterThan((end - m - 1) * 60_000 - 1000);

    const free = await startSession(hub, plain.teacher.token, plain.classId);
    expect(Date.parse(free.endsAt) - hub.clock.nowMs()).toBeGreaterThan(59 * 60_000);
    expect(Date.parse(free.endsAt) - hub.clock.nowMs()).toBeLessThanOrEqual(60 * 60_000);
  });
});
