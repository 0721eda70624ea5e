// A policy changed by someone else between the read an edit starts from and its write (issue 8
// item 3): on PostgreSQL, or with two hubs on one database, the in-process queue of policy
// changes does not order them. The edit must be refused with a 409, never written over the other
// change as a second "revision n + 1" (a 500 on the revisions' unique key, or a lost change).
import { ConflictException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { StaffPrincipal } from '../apps/hub/src/common/roles';
import { TransactionRunner, Tx } from '../apps/hub/src/database/transaction-runner';
import { UniquePolicyAssignments1764810000000 } from '../apps/hub/src/database/migrations/1764810000000-UniquePolicyAssignments';
import { PoliciesRepository } from '../apps/hub/src/policies/policies.repository';
import { PoliciesService } from '../apps/hub/src/policies/policies.service';
import { PolicyRolloutService } from '../apps/hub/src/policies/policy-rollout.service';
import {
  createEnrollmentToken,
  enrollTestDevice,
  waitFor,
  waitForBaselinePlanned,
} from './support/devices';
import { startHub, TestHub } from './support/hub';
import { ON_POSTGRES } from './support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a policy changed by someone else mid-edit', () => {
  let hub: TestHub;
  let admin: string;
  let actor: StaffPrincipal;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    const me = await hub.http.get('/api/auth/me').set('Authorization', `Bearer ${admin}`);
    actor = { kind: 'staff', ...(me.body as Omit<StaffPrincipal, 'kind'>) };
  });
  afterAll(() => hub.close());

  it('is refused with a 409, and the other change stands', async () => {
    const created = await hub.http
      .post('/api/policies')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Race policy', settings: { camera: { allowed: true } } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const tx = hub.app.get(TransactionRunner);
    const edit = () =>
      hub.app.get(PoliciesService).update(actor, id, { settings: { camera: { allowed: false } } });
    // Another hub's edit: revision 2, written as that hub would.
    const otherHubEdit = async (t: Tx) => {
      await t.query(`UPDATE policies SET revision = 2, description = 'other hub' WHERE id = $1`, [
        id,
      ]);
      await t.query(
        `INSERT INTO policy_revisions (id, policy_id, revision, name, settings, enforced, changed,
           note, changed_by_type, changed_by_id, changed_at)
         VALUES ($1, $2, 2, 'Race policy', '{}', '[]', '[]', 'other hub', 'system', NULL, $3)`,
        [randomUUID(), id, new Date().toISOString()],
      );
    };

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let editing: Promise<unknown>;
    if (ON_POSTGRES) {
      // The other hub's transaction is open, its row written but not committed: the edit reads
      // revision 1, and its conditional write waits for that row's lock, then finds revision 2.
      const other = tx.run(async (t) => {
        await otherHubEdit(t);
        await gate;
      });
      await sleep(100);
      editing = edit();
      editing.catch(() => undefined);
      await sleep(300);
      release();
      await other;
    } else {
      // Hold the database queue, so that the edit below reads revision 1 and waits there; the
      // other hub's edit lands after that read and before the edit's write.
      const held = tx.run(() => gate);
      editing = edit();
      await sleep(100);
      const other = tx.run(otherHubEdit);
      release();
      await held;
      await other;
    }
    await expect(editing).rejects.toBeInstanceOf(ConflictException);

    const policy = await hub.http
      .get(`/api/policies/${id}`)
      .set('Authorization', `Bearer ${admin}`);
    expect([policy.body.revision, policy.body.description]).toEqual([2, 'other hub']);
    const revisions = await hub.http
      .get(`/api/policies/${id}/revisions`)
      .set('Authorization', `Bearer ${admin}`);
    expect((revisions.body as { revision: number }[]).map((r) => r.revision)).toEqual([2, 1]);
  });

  it('refuses a save made from an older revision than the policy has: the other editor’s change stands and nothing is written', async () => {
    const auth = { Authorization: `Bearer ${admin}` };
    const created = await hub.http
      .post('/api/policies')
      .set(auth)
      .send({
        name: 'Two editors',
        settings: { camera: { allowed: true }, screen: { autoLockMinutes: 5 } },
      });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const { deviceId } = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    // Enrolment plans the baseline's policy.apply within 200 ms, gathered with other enrolments:
    // counted after it lands, not in the middle of what this test counts.
    await waitForBaselinePlanned(hub, admin, [deviceId]);
    const assigned = await hub.http
      .post(`/api/policies/${id}/assignments`)
      .set(auth)
      .send({ scope: 'device', targetId: deviceId });
    expect(assigned.status).toBe(201);
    const applies = async () => {
      const commands = await hub.http
        .get(`/api/devices/${deviceId}/commands`)
        .query({ pageSize: 500 })
        .set(auth);
      return (commands.body.items as { type: string }[]).filter((c) => c.type === 'policy.apply')
        .length;
    };
    const updates = async () => {
      const entries = await hub.http
        .get('/api/audit')
        .query({ action: 'policy.updated', targetId: id })
        .set(auth);
      return entries.body.total as number;
    };

    // Two ICT staff open revision 1. The first turns the camera off and saves.
    const first = await hub.http
      .patch(`/api/policies/${id}`)
      .set(auth)
      .send({
        settings: { camera: { allowed: false }, screen: { autoLockMinutes: 5 } },
        revision: 1,
      });
    expect([first.status, first.body.revision]).toEqual([200, 2]);
    const appliesBefore = await applies();

    // The second changes the auto-lock, with the camera as they read it, from revision 1; then
    // presses Save with nothing changed. Neither puts the camera back on.
    const refusal = {
      statusCode: 409,
      code: 'changed_meanwhile',
      message:
        'Policy "Two editors" was changed by someone else after revision 1, which this change ' +
        'was made from: it is now at revision 2. Nothing was saved: read it again and make the ' +
        'change there',
    };
    for (const minutes of [10, 5]) {
      const second = await hub.http
        .patch(`/api/policies/${id}`)
        .set(auth)
        .send({
          name: 'Two editors',
          settings: { camera: { allowed: true }, screen: { autoLockMinutes: minutes } },
          revision: 1,
        });
      expect([second.status, second.body]).toEqual([409, refusal]);
    }
    const policy = await hub.http.get(`/api/policies/${id}`).set(auth);
    expect([policy.body.revision, policy.body.settings]).toEqual([
      2,
      { camera: { allowed: false }, screen: { autoLockMinutes: 5 } },
    ]);
    const revisions = await hub.http.get(`/api/policies/${id}/revisions`).set(auth);
    expect((revisions.body as { revision: number }[]).map((r) => r.revision)).toEqual([2, 1]);
    expect(await updates()).toBe(1);
    expect(await applies()).toBe(appliesBefore);

    // Made again from revision 2, it is saved; without `revision` a change is made to whatever
    // revision is current, as before.
    const again = await hub.http
      .patch(`/api/policies/${id}`)
      .set(auth)
      .send({
        settings: { camera: { allowed: false }, screen: { autoLockMinutes: 10 } },
        revision: 2,
      });
    expect([again.status, again.body.revision]).toEqual([200, 3]);
    const unconditional = await hub.http
      .patch(`/api/policies/${id}`)
      .set(auth)
      .send({ description: 'Tablets of the museum trip' });
    expect([unconditional.status, unconditional.body.revision]).toEqual([200, 4]);

    // A revision that is not a whole number from 1 is a 400 naming it.
    for (const revision of ['4', 0, 3.5, null]) {
      const bad = await hub.http
        .patch(`/api/policies/${id}`)
        .set(auth)
        .send({ description: 'x', revision });
      expect([bad.status, String(bad.body.message).startsWith('revision ')]).toEqual([400, true]);
    }
    expect((await hub.http.get(`/api/policies/${id}`).set(auth)).body.revision).toBe(4);
  });

  it('answers 409 to an assignment another hub made between the check and the insert, never a 500', async () => {
    const auth = { Authorization: `Bearer ${admin}` };
    const created = await hub.http
      .post('/api/policies')
      .set(auth)
      .send({ name: 'Assigned twice', settings: { camera: { allowed: true } } });
    expect(created.status).toBe(201);
    const policyId = created.body.id as string;
    const group = await hub.http.post('/api/groups').set(auth).send({ name: 'Race group' });
    expect(group.status).toBe(201);
    const otherHubRow = (t: Tx, scope: string, targetId: string | null) =>
      t.query(
        `INSERT INTO policy_assignments (id, policy_id, scope, target_id, priority, created_at)
         VALUES ($1, $2, $3, $4, 0, $5)`,
        [randomUUID(), policyId, scope, targetId, new Date().toISOString()],
      );
    // Another hub's assignment lands after this hub's check, just before its insert.
    const repository = hub.app.get(PoliciesRepository);
    const insert = repository.insertAssignment.bind(repository);
    const spy = jest
      .spyOn(repository, 'insertAssignment')
      .mockImplementationOnce(async (t, assignment) => {
        await otherHubRow(t, assignment.scope, assignment.targetId);
        await insert(t, assignment);
      });
    try {
      const raced = await hub.http
        .post(`/api/policies/${policyId}/assignments`)
        .set(auth)
        .send({ scope: 'group', targetId: group.body.id as string });
      expect([raced.status, raced.body.message]).toEqual([
        409,
        'This policy is already assigned there',
      ]);
    } finally {
      spy.mockRestore();
    }
    // The database holds one assignment of a policy to a place, the baseline (no target) too.
    const tx = hub.app.get(TransactionRunner);
    await tx.run((t) => otherHubRow(t, 'baseline', null));
    await expect(tx.run((t) => otherHubRow(t, 'baseline', null))).rejects.toThrow(/unique/i);
    await tx.run((t) => otherHubRow(t, 'group', group.body.id as string));
    await expect(tx.run((t) => otherHubRow(t, 'group', group.body.id as string))).rejects.toThrow(
      /unique/i,
    );

    // A database that already holds duplicates (an older cluster) keeps the oldest of each.
    const migration = new UniquePolicyAssignments1764810000000();
    await tx.run((t) => migration.down(t.queryRunner!));
    await tx.run((t) => otherHubRow(t, 'baseline', null));
    await tx.run((t) => otherHubRow(t, 'group', group.body.id as string));
    await tx.run((t) => migration.up(t.queryRunner!));
    const left = await tx.run(
      (t) =>
        t.query(
          `SELECT scope, COUNT(*) AS n FROM policy_assignments WHERE policy_id = $1 GROUP BY scope
           ORDER BY scope`,
          [policyId],
        ) as Promise<{ scope: string; n: number | string }[]>,
    );
    expect(left.map((row) => [row.scope, Number(row.n)])).toEqual([
      ['baseline', 1],
      ['group', 1],
    ]);
    await expect(tx.run((t) => otherHubRow(t, 'baseline', null))).rejects.toThrow(/unique/i);
  });

  it('starts a hub that lost the race to make the school baseline on an empty database', async () => {
    // This hub counted no policies, as a second hub starting at the same moment would; the first
    // made the baseline meanwhile.
    const repository = hub.app.get(PoliciesRepository);
    const spy = jest.spyOn(repository, 'count').mockResolvedValueOnce(0);
    try {
      await expect(hub.app.get(PoliciesService).onApplicationBootstrap()).resolves.toBeUndefined();
    } finally {
      spy.mockRestore();
    }
    const list = await hub.http.get('/api/policies').set('Authorization', `Bearer ${admin}`);
    const baselines = (list.body as { name: string; assignments: { scope: string }[] }[]).filter(
      (policy) => policy.name === 'School baseline',
    );
    expect(baselines).toHaveLength(1);
    expect(baselines[0].assignments.filter((a) => a.scope === 'baseline')).toHaveLength(1);
  });

  it('never leaves a device revoked between the plan and its write a pending policy', async () => {
    const auth = { Authorization: `Bearer ${admin}` };
    const { deviceId } = await enrollTestDevice(hub, await createEnrollmentToken(hub, admin));
    await waitFor(async () => {
      const record = await hub.http.get(`/api/devices/${deviceId}`).set(auth);
      return record.body.compliance?.desiredVersion;
    }, 'the baseline planned');
    // A policy refresh reads the device as active and plans its apply...
    const rollout = hub.app.get(PolicyRolloutService);
    const plan = await rollout.plan(await rollout.loadWorld(), [deviceId], true);
    expect(rollout.changedDeviceIds(plan)).toEqual([deviceId]);
    // ...ICT revokes it before the plan is written...
    expect((await hub.http.delete(`/api/devices/${deviceId}`).set(auth)).status).toBe(200);
    await hub.app.get(TransactionRunner).run((tx) => rollout.apply(tx, { kind: 'system' }, plan));
    // ...and the revoked device has nothing waiting for it.
    const commands = await hub.http
      .get(`/api/devices/${deviceId}/commands`)
      .query({ pageSize: 500 })
      .set(auth);
    expect(commands.status).toBe(200);
    const statuses = (commands.body.items as { type: string; status: string }[]).map(
      (command) => `${command.type} ${command.status}`,
    );
    expect(statuses).toEqual(['policy.apply cancelled']);
    expect(rollout.changedDeviceIds(plan)).toEqual([]);
  });
});
