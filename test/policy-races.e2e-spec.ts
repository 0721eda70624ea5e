// A policy changed by someone else between the read an edit starts from and its write (issue 8
// item 3): on PostgreSQL, or with two hubs on one database, the in-process queue of policy
// changes does not order them. The edit must be refused with a 409, never written over the other
// change as a second "revision n + 1" (a 500 on the revisions' unique key, or a lost change).
import { ConflictException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { StaffPrincipal } from '../apps/hub/src/common/roles';
import { TransactionRunner, Tx } from '../apps/hub/src/database/transaction-runner';
import { PoliciesService } from '../apps/hub/src/policies/policies.service';
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
});
