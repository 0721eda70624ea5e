// Database access for policies, their revisions and assignments.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { nameKeyOf } from '@app/hub-api';
import { nameKeysOf, orderByName } from '../database/name-search';
import type { Tx } from '../database/transaction-runner';
import { PolicyAssignmentEntity, PolicyEntity, PolicyRevisionEntity } from './policy.entities';

@Injectable()
export class PoliciesRepository {
  constructor(
    @InjectRepository(PolicyEntity) private readonly policies: Repository<PolicyEntity>,
    @InjectRepository(PolicyRevisionEntity)
    private readonly revisions: Repository<PolicyRevisionEntity>,
    @InjectRepository(PolicyAssignmentEntity)
    private readonly assignments: Repository<PolicyAssignmentEntity>,
  ) {}

  count(): Promise<number> {
    return this.policies.count();
  }

  /** Every policy by name (`orderByName`: "Émile's" among the Es, alike on both databases). */
  all(): Promise<PolicyEntity[]> {
    return orderByName(this.policies.createQueryBuilder('p'), 'p').getMany();
  }

  findById(id: string): Promise<PolicyEntity | null> {
    return this.policies.findOneBy({ id });
  }

  /** The policy whose name is `name` by `nameKeyOf` ("year  5" finds "Year 5"), if any. */
  findByName(name: string): Promise<PolicyEntity | null> {
    return this.policies.findOneBy({ nameKey: nameKeyOf(name) });
  }

  /**
   * Inserts a new policy (its `nameKey` and `nameSortKey` made here from its name); a name another
   * policy has, in any case or spacing, fails with a unique violation (the caller's 409).
   */
  async insertPolicy(tx: Tx, policy: PolicyEntity): Promise<void> {
    await tx.insert(PolicyEntity, { ...policy, ...nameKeysOf(policy.name) });
  }

  /**
   * Writes a policy's new revision only if it is still at the revision the change was made
   * from: never a save() of what was read before the change was worked out (issue 8 item 3:
   * two hubs, or two requests, editing one policy at once would both write "revision n + 1").
   * A taken name fails with a unique violation.
   *
   * @returns false when someone else changed the policy meanwhile (or it is gone)
   */
  async updatePolicyFrom(tx: Tx, fromRevision: number, policy: PolicyEntity): Promise<boolean> {
    const result = await tx.update(
      PolicyEntity,
      { id: policy.id, revision: fromRevision },
      {
        name: policy.name,
        ...nameKeysOf(policy.name),
        description: policy.description,
        settings: policy.settings,
        enforced: policy.enforced,
        revision: policy.revision,
        updatedAt: policy.updatedAt,
      },
    );
    return (result.affected ?? 0) === 1;
  }

  async insertRevision(tx: Tx, revision: PolicyRevisionEntity): Promise<void> {
    await tx.insert(PolicyRevisionEntity, revision);
  }

  revisionsOf(policyId: string): Promise<PolicyRevisionEntity[]> {
    return this.revisions.find({ where: { policyId }, order: { revision: 'DESC' } });
  }

  findRevision(policyId: string, revision: number): Promise<PolicyRevisionEntity | null> {
    return this.revisions.findOneBy({ policyId, revision });
  }

  allAssignments(): Promise<PolicyAssignmentEntity[]> {
    return this.assignments.find({ order: { createdAt: 'ASC' } });
  }

  findAssignment(id: string): Promise<PolicyAssignmentEntity | null> {
    return this.assignments.findOneBy({ id });
  }

  async insertAssignment(tx: Tx, assignment: PolicyAssignmentEntity): Promise<void> {
    await tx.insert(PolicyAssignmentEntity, assignment);
  }

  async deleteAssignment(tx: Tx, id: string): Promise<void> {
    await tx.delete(PolicyAssignmentEntity, { id });
  }
}
