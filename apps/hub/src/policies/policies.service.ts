// Policy profiles as ICT writes them: create, change (with a revision each time), roll back,
// assign to the baseline, a group or a device. Every change is resolved for every affected
// device before anything is written, then written in one transaction with its fan-out.
import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  compileMobileconfig,
  diffSettings,
  PartialPolicySettings,
  PolicyValidationError,
  resolvePolicy,
  SCHOOL_BASELINE,
  SettingPath,
  signMobileconfig,
  validatePolicyLayer,
} from '@app/policy';
import { nameKeyOf, nameSortKeyOf, type PolicyRefusal } from '@app/hub-api';
import { deviceLabel, policyTarget } from '../audit/audit-labels';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { codedConflict } from '../common/coded-refusal';
import { changedMeanwhile } from '../common/changed-meanwhile';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import type { StaffPrincipal } from '../common/roles';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { POLICY_ASSIGNMENT_UNIQUE_INDEX } from '../database/migrations/1764810000000-UniquePolicyAssignments';
import { DevicesRepository } from '../devices/devices.repository';
import { toDeviceComplianceDto } from '../devices/devices.service';
import { CertificateAuthority } from '../enrollment/certificate-authority';
import { AssignPolicyDto, CreatePolicyDto, UpdatePolicyDto } from './dto/policy.dto';
import { PoliciesRepository } from './policies.repository';
import { layerOf, PolicyRolloutService, PolicyWorld, RolloutPlan } from './policy-rollout.service';
import { PolicyAssignmentEntity, PolicyEntity, PolicyRevisionEntity } from './policy.entities';

export const BASELINE_POLICY_NAME = 'School baseline';

/**
 * The 409 for a policy name taken (in any case or spacing), naming the policy that has it, with
 * `code` `name_taken` (POLICY_REFUSALS: the console says it at the name field by the code).
 */
export function policyNameTaken(name: string): ConflictException {
  const code: PolicyRefusal = 'name_taken';
  return codedConflict(code, `A policy named "${name}" already exists`);
}

/**
 * The 409 for a change made from a revision that is no longer the policy's current one (PATCH's
 * `revision` older than the policy's, or another change written at the same moment), with `code`
 * `changed_meanwhile` (POLICY_REFUSALS): nothing was saved, and the console keeps what was typed
 * and offers the policy as it is now.
 *
 * @param name the policy's name as read
 * @param from the revision the change was made from
 * @param current the revision the policy is at now, when known
 */
export function policyChangedMeanwhile(name: string, from: number, current?: number) {
  return changedMeanwhile(
    `Policy "${name}"`,
    `after revision ${from}, which this change was made from`,
    current === undefined ? 'it has a newer one' : `it is now at revision ${current}`,
  );
}

function toPolicyDto(policy: PolicyEntity, assignments: PolicyAssignmentEntity[]) {
  return {
    id: policy.id,
    name: policy.name,
    description: policy.description,
    settings: JSON.parse(policy.settings) as PartialPolicySettings,
    enforced: JSON.parse(policy.enforced) as SettingPath[],
    revision: policy.revision,
    assignments: assignments
      .filter((a) => a.policyId === policy.id)
      .map((a) => ({ id: a.id, scope: a.scope, targetId: a.targetId, priority: a.priority })),
    createdAt: policy.createdAt.toISOString(),
    updatedAt: policy.updatedAt.toISOString(),
  };
}

/** Checks a profile's settings and enforced list the way the resolver will read them. */
function checkProfile(
  settings: unknown,
  enforced: unknown,
): { settings: PartialPolicySettings; enforced: SettingPath[] } {
  try {
    const layer = validatePolicyLayer({
      id: 'profile',
      name: 'profile',
      scope: 'group',
      priority: 0,
      settings,
      enforced,
    });
    return { settings: layer.settings, enforced: layer.enforced };
  } catch (error) {
    if (error instanceof PolicyValidationError) {
      // The layer wrapper is ours, not the caller's: name the field as they sent it.
      const field =
        error.field.startsWith('settings') || error.field === 'enforced'
          ? error.field
          : `settings.${error.field}`;
      throw new BadRequestException(
        `${field}: ${error.message.replace(/^policy layer profile: /, '')}`,
      );
    }
    throw error;
  }
}

@Injectable()
export class PoliciesService implements OnApplicationBootstrap {
  constructor(
    private readonly policies: PoliciesRepository,
    private readonly devices: DevicesRepository,
    private readonly rollout: PolicyRolloutService,
    private readonly ca: CertificateAuthority,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** A new hub starts with the baseline drawn from the schools' AUPs. */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.policies.count()) > 0) {
      return;
    }
    const now = this.clock.now();
    const policy: PolicyEntity = {
      id: randomUUID(),
      name: BASELINE_POLICY_NAME,
      nameKey: nameKeyOf(BASELINE_POLICY_NAME),
      nameSortKey: nameSortKeyOf(BASELINE_POLICY_NAME),
      description:
        'Drawn from the schools’ acceptable use policies: camera off, strong passcodes, auto-lock, no user Wi-Fi or app installs, encrypted removable media, photos moved to the school store.',
      settings: JSON.stringify(SCHOOL_BASELINE),
      enforced: '[]',
      revision: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.tx
      .run(async (tx) => {
        await this.policies.insertPolicy(tx, policy);
        await this.policies.insertRevision(
          tx,
          this.revisionOf(
            policy,
            { kind: 'system' },
            Object.keys(SCHOOL_BASELINE) as SettingPath[],
            'shipped default',
          ),
        );
        await this.policies.insertAssignment(tx, {
          id: randomUUID(),
          policyId: policy.id,
          scope: 'baseline',
          targetId: null,
          priority: 0,
          createdAt: now,
        });
        await this.audit.record(tx, {
          actor: { kind: 'system' },
          action: 'policy.created',
          target: policyTarget(policy),
          detail: { name: policy.name },
        });
      })
      .catch((error: unknown) => {
        // Another hub starting on the same empty database made the baseline first: it stands.
        if (!isUniqueViolation(error, 'name')) {
          throw error;
        }
      });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.rollout.exclusive(work);
  }

  private revisionOf(
    policy: PolicyEntity,
    actor: AuditActor,
    changed: SettingPath[] | string[],
    note: string | null,
  ): PolicyRevisionEntity {
    return {
      id: randomUUID(),
      policyId: policy.id,
      revision: policy.revision,
      name: policy.name,
      settings: policy.settings,
      enforced: policy.enforced,
      changed: JSON.stringify(changed),
      note,
      changedByType: actor.kind === 'staff' ? 'staff' : 'system',
      changedById: actor.kind === 'staff' ? actor.id : null,
      changedAt: this.clock.now(),
    };
  }

  /** Plans the rollout of a changed world, refusing a change that makes any device's policies conflict. */
  private async planOrRefuse(world: PolicyWorld): Promise<RolloutPlan> {
    const plan = await this.rollout.plan(world);
    if (plan.conflicts.length > 0) {
      const { error } = plan.conflicts[0];
      throw new BadRequestException(
        `${error.field}: ${error.message} (this change would make the policies of ${plan.conflicts.length} device(s) conflict)`,
      );
    }
    return plan;
  }

  /**
   * Commits a change to the policies: resolves every device against the changed world first
   * (refusing a conflict), then writes the change and its fan-out in one transaction, then wakes
   * delivery.
   */
  private async commitChange(
    actor: AuditActor,
    world: PolicyWorld,
    write: (tx: Tx, plan: RolloutPlan) => Promise<void>,
  ): Promise<RolloutPlan> {
    const plan = await this.planOrRefuse(world);
    await this.tx.run(async (tx) => {
      await write(tx, plan);
      await this.rollout.apply(tx, actor, plan);
    });
    this.rollout.announce(plan);
    return plan;
  }

  async list() {
    const [policies, assignments] = await Promise.all([
      this.policies.all(),
      this.policies.allAssignments(),
    ]);
    return policies.map((policy) => toPolicyDto(policy, assignments));
  }

  private async mustFind(id: string): Promise<PolicyEntity> {
    const policy = await this.policies.findById(id);
    if (!policy) {
      throw new NotFoundException(`No policy ${id}`);
    }
    return policy;
  }

  async get(id: string) {
    return toPolicyDto(await this.mustFind(id), await this.policies.allAssignments());
  }

  /**
   * A unique violation on a policy's name key (the check before it can be overtaken by another
   * request or hub) is a taken name: 409 naming the policy that has it, not 500 (issue 8 item 3).
   */
  private async rethrowNameClash(error: unknown, name: string): Promise<never> {
    if (isUniqueViolation(error, 'name')) {
      const holder = await this.policies.findByName(name);
      throw policyNameTaken(holder?.name ?? name);
    }
    throw error;
  }

  /**
   * Creates a policy named as typed (trimmed). Names are told apart as a school reads them
   * (`nameKeyOf`: "Year 5", "year 5" and "Year  5" are one name).
   *
   * @throws BadRequestException 400 naming a setting at fault
   * @throws ConflictException 409 `A policy named "Year 5" already exists` when another policy
   *   has the name, even one created by a request at the same moment (the unique key decides)
   */
  async create(actor: StaffPrincipal, input: CreatePolicyDto) {
    const profile = checkProfile(input.settings, input.enforced ?? []);
    return this.exclusive(async () => {
      const holder = await this.policies.findByName(input.name);
      if (holder) {
        throw policyNameTaken(holder.name);
      }
      const now = this.clock.now();
      const policy: PolicyEntity = {
        id: randomUUID(),
        name: input.name.trim(),
        nameKey: nameKeyOf(input.name),
        nameSortKey: nameSortKeyOf(input.name),
        description: input.description?.trim() ?? null,
        settings: JSON.stringify(profile.settings),
        enforced: JSON.stringify(profile.enforced),
        revision: 1,
        createdAt: now,
        updatedAt: now,
      };
      await this.tx
        .run(async (tx) => {
          await this.policies.insertPolicy(tx, policy);
          await this.policies.insertRevision(
            tx,
            this.revisionOf(policy, actor, diffSettings({}, profile.settings), null),
          );
          await this.audit.record(tx, {
            actor,
            action: 'policy.created',
            target: policyTarget(policy),
            detail: { name: policy.name },
          });
        })
        .catch((error: unknown) => this.rethrowNameClash(error, policy.name));
      return toPolicyDto(policy, []);
    });
  }

  /**
   * Changes a policy's name, description, settings or enforced paths as a new revision, and sends
   * the new policy to the devices whose policy changes. A save that changes none of them (the
   * editor's "Save changes" pressed with nothing edited, a PATCH of `{}`) writes nothing: no
   * revision, no audit entry; the policy is answered as it is. A rollback (`note`) is always
   * written, since going back was asked for.
   *
   * @param note the revision's note ("Rolled back to revision N"), or null for an edit
   * @returns the policy as it is now, with its assignments
   * @throws NotFoundException 404 for an unknown id
   * @throws BadRequestException 400 naming the setting at fault
   * @throws ConflictException 409 for a name another policy has (in any case or spacing,
   *   `name_taken`), or `changed_meanwhile`: `input.revision` is not the policy's current one, or
   *   another change was written at the same moment
   */
  async update(
    actor: StaffPrincipal,
    id: string,
    input: UpdatePolicyDto,
    note: string | null = null,
  ) {
    return this.exclusive(async () => {
      const policy = await this.mustFind(id);
      // Checked before anything else: an edit made from an older revision would put back
      // everything changed since (the editor sends the settings whole), even a save of nothing.
      if (input.revision !== undefined && input.revision !== policy.revision) {
        throw policyChangedMeanwhile(policy.name, input.revision, policy.revision);
      }
      const before = JSON.parse(policy.settings) as PartialPolicySettings;
      const profile = checkProfile(
        input.settings ?? before,
        input.enforced ?? JSON.parse(policy.enforced),
      );
      if (input.name !== undefined && input.name.trim() !== policy.name) {
        const holder = await this.policies.findByName(input.name);
        if (holder && holder.id !== policy.id) {
          throw policyNameTaken(holder.name);
        }
      }
      const changed = diffSettings(before, profile.settings);
      const enforcedChanged = JSON.stringify(profile.enforced) !== policy.enforced;
      const name = input.name?.trim() ?? policy.name;
      const description =
        input.description !== undefined ? input.description.trim() : policy.description;
      if (
        note === null &&
        changed.length === 0 &&
        !enforcedChanged &&
        name === policy.name &&
        // No description and an empty one read the same in the console, which sends "".
        (description ?? '') === (policy.description ?? '')
      ) {
        return toPolicyDto(policy, await this.policies.allAssignments());
      }
      const updated: PolicyEntity = {
        ...policy,
        name,
        nameKey: nameKeyOf(name),
        nameSortKey: nameSortKeyOf(name),
        description,
        settings: JSON.stringify(profile.settings),
        enforced: JSON.stringify(profile.enforced),
        revision: policy.revision + 1,
        updatedAt: this.clock.now(),
      };
      const world = await this.rollout.loadWorld();
      world.policies.set(id, updated);
      await this.commitChange(actor, world, async (tx, plan) => {
        if (!(await this.policies.updatePolicyFrom(tx, policy.revision, updated))) {
          throw policyChangedMeanwhile(policy.name, policy.revision);
        }
        await this.policies.insertRevision(
          tx,
          this.revisionOf(
            updated,
            actor,
            enforcedChanged ? [...changed, 'enforced'] : changed,
            note,
          ),
        );
        await this.audit.record(tx, {
          actor,
          action: note ? 'policy.rolled_back' : 'policy.updated',
          target: policyTarget(updated),
          detail: {
            revision: updated.revision,
            changed,
            devicesAffected: this.rollout.changedDeviceIds(plan).length,
          },
        });
      }).catch((error: unknown) => this.rethrowNameClash(error, updated.name));
      return toPolicyDto(updated, world.assignments);
    });
  }

  async revisions(id: string) {
    await this.mustFind(id);
    return (await this.policies.revisionsOf(id)).map((r) => ({
      revision: r.revision,
      name: r.name,
      settings: JSON.parse(r.settings) as PartialPolicySettings,
      enforced: JSON.parse(r.enforced) as SettingPath[],
      changed: JSON.parse(r.changed) as string[],
      note: r.note,
      changedBy: { type: r.changedByType, id: r.changedById },
      changedAt: r.changedAt.toISOString(),
    }));
  }

  async rollback(actor: StaffPrincipal, id: string, revision: number) {
    const old = await this.policies.findRevision(id, revision);
    if (!old) {
      throw new NotFoundException(`Policy ${id} has no revision ${revision}`);
    }
    return this.update(
      actor,
      id,
      {
        name: old.name,
        settings: JSON.parse(old.settings) as Record<string, unknown>,
        enforced: JSON.parse(old.enforced) as string[],
      },
      `rolled back to revision ${revision}`,
    );
  }

  async assign(actor: StaffPrincipal, policyId: string, input: AssignPolicyDto) {
    return this.exclusive(async () => {
      const policy = await this.mustFind(policyId);
      if (input.scope === 'baseline' && input.targetId !== undefined && input.targetId !== null) {
        // A group or device meant, and the baseline typed: it would reach every device.
        throw new BadRequestException(
          'targetId: the baseline reaches every device and names no target (use scope group or device)',
        );
      }
      const targetId = input.scope === 'baseline' ? null : (input.targetId as string);
      const targetName = await this.assignmentTargetName(input.scope, targetId);
      if (input.scope === 'group' && targetName === null) {
        throw new NotFoundException(`No group ${targetId}`);
      }
      if (input.scope === 'device' && targetName === null) {
        throw new NotFoundException(`No device ${targetId}`);
      }
      const world = await this.rollout.loadWorld();
      if (
        world.assignments.some(
          (a) => a.policyId === policyId && a.scope === input.scope && a.targetId === targetId,
        )
      ) {
        throw new ConflictException('This policy is already assigned there');
      }
      const assignment: PolicyAssignmentEntity = {
        id: randomUUID(),
        policyId,
        scope: input.scope,
        targetId,
        priority: input.priority ?? 0,
        createdAt: this.clock.now(),
      };
      world.assignments.push(assignment);
      await this.commitChange(actor, world, async (tx) => {
        // The check above runs in this hub's queue only: another hub may assign it there at the
        // same moment, and the unique index then decides (409, not 500).
        await this.policies.insertAssignment(tx, assignment).catch((error: unknown) => {
          if (isUniqueViolation(error, POLICY_ASSIGNMENT_UNIQUE_INDEX)) {
            throw new ConflictException('This policy is already assigned there');
          }
          throw error;
        });
        await this.audit.record(tx, {
          actor,
          action: 'policy.assigned',
          target: policyTarget(policy),
          detail: {
            scope: assignment.scope,
            to: targetId ?? undefined,
            toName: targetName ?? undefined,
            priority: assignment.priority,
          },
        });
      });
      return {
        id: assignment.id,
        policyId,
        scope: assignment.scope,
        targetId,
        priority: assignment.priority,
      };
    });
  }

  async unassign(actor: StaffPrincipal, policyId: string, assignmentId: string): Promise<void> {
    await this.exclusive(async () => {
      const assignment = await this.policies.findAssignment(assignmentId);
      if (!assignment || assignment.policyId !== policyId) {
        throw new NotFoundException(`Policy ${policyId} has no assignment ${assignmentId}`);
      }
      const world = await this.rollout.loadWorld();
      const policy = world.policies.get(policyId) ?? (await this.mustFind(policyId));
      const fromName = await this.assignmentTargetName(assignment.scope, assignment.targetId);
      world.assignments = world.assignments.filter((a) => a.id !== assignmentId);
      await this.commitChange(actor, world, async (tx) => {
        await this.policies.deleteAssignment(tx, assignmentId);
        await this.audit.record(tx, {
          actor,
          action: 'policy.unassigned',
          target: policyTarget(policy),
          detail: {
            scope: assignment.scope,
            from: assignment.targetId ?? undefined,
            fromName: fromName ?? undefined,
          },
        });
      });
    });
  }

  /**
   * What an assignment's group or device is called now, for the audit log: null for no such
   * group or device, and for the baseline (which has no target).
   */
  private async assignmentTargetName(scope: string, targetId: string | null) {
    if (targetId === null) {
      return null;
    }
    if (scope === 'group') {
      return (await this.devices.findGroup(targetId))?.name ?? null;
    }
    if (scope === 'device') {
      const device = await this.devices.findById(targetId);
      return device ? deviceLabel(device) : null;
    }
    return null;
  }

  /**
   * Re-plans these devices (they joined or left a group, or enrolled), or every active device
   * when `deviceIds` is omitted (at start), as the hub itself. Writes nothing, and says nothing,
   * when nothing changes: a conflict judged again as it was recorded included.
   */
  async refreshDevices(deviceIds?: readonly string[], force = false): Promise<void> {
    await this.exclusive(async () => {
      const plan = await this.rollout.plan(await this.rollout.loadWorld(), deviceIds, force);
      if (!this.rollout.changesAnything(plan)) {
        return;
      }
      await this.tx.run((tx) => this.rollout.apply(tx, { kind: 'system' }, plan));
      this.rollout.announce(plan);
    });
  }

  /** A device's resolved policy and which profile decided each setting. */
  async devicePolicy(deviceId: string) {
    const device = await this.devices.findById(deviceId);
    if (!device) {
      throw new NotFoundException(`No device ${deviceId}`);
    }
    const world = await this.rollout.loadWorld();
    const resolved = await this.rollout.resolveDevice(world, deviceId);
    const policyIdOf = new Map(world.assignments.map((a) => [a.id, a.policyId]));
    const decidedBy = Object.fromEntries(
      Object.entries(resolved.decidedBy).map(([path, decision]) => [
        path,
        {
          policyId: decision.layerId ? (policyIdOf.get(decision.layerId) ?? null) : null,
          policy: decision.name,
          scope: decision.scope,
        },
      ]),
    );
    const reported = device.reportedState
      ? (JSON.parse(device.reportedState) as { policyVersion?: string | null })
      : null;
    return {
      deviceId,
      version: resolved.version,
      settings: resolved.settings,
      decidedBy,
      compliance: {
        ...toDeviceComplianceDto(device),
        // null, not `none`, before a policy is planned: what this answer has always said.
        status: device.policyStatus,
        reportedVersion: reported?.policyVersion ?? null,
      },
    };
  }

  async deviceMobileconfig(deviceId: string): Promise<{ fileName: string; body: Buffer }> {
    const policy = await this.devicePolicy(deviceId);
    const device = await this.devices.findById(deviceId);
    const xml = compileMobileconfig(policy.settings, {
      identifier: `org.devicehub.policy.device.${deviceId}`,
      displayName: `School policy for ${device?.name ?? device?.serialNumber ?? 'this device'}`,
      organization: this.config.schoolName,
      description: 'Installed by the school. Removing it may be reported to ICT.',
    });
    return {
      fileName: `device-${deviceId}.mobileconfig`,
      body: await signMobileconfig(xml, await this.ca.profileSigner(), () => this.clock.now()),
    };
  }

  /** One policy on its own over the built-in defaults, as a signed profile. */
  async policyMobileconfig(policyId: string): Promise<{ fileName: string; body: Buffer }> {
    const policy = await this.mustFind(policyId);
    const resolved = resolvePolicy([
      layerOf(
        {
          id: policy.id,
          policyId,
          scope: 'baseline',
          targetId: null,
          priority: 0,
          createdAt: policy.createdAt,
        },
        policy,
      ),
    ]);
    const xml = compileMobileconfig(resolved.settings, {
      identifier: `org.devicehub.policy.${policyId}`,
      displayName: policy.name,
      organization: this.config.schoolName,
      description: policy.description ?? undefined,
    });
    return {
      fileName: `policy-${policyId}.mobileconfig`,
      body: await signMobileconfig(xml, await this.ca.profileSigner(), () => this.clock.now()),
    };
  }
}
