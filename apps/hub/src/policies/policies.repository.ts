// Database access for policies, their revisions and assignments.
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
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

  all(): Promise<PolicyEntity[]> {
    return this.policies.find({ order: { name: 'ASC' } });
  }

  findById(id: string): Promise<PolicyEntity | null> {
    return this.policies.findOneBy({ id });
  }

  findByName(name: string): Promise<PolicyEntity | null> {
    return this.policies.findOneBy({ name });
  }

  async savePolicy(tx: Tx, policy: PolicyEntity): Promise<void> {
    await tx.save(PolicyEntity, policy);
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
