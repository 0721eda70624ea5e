// Works out each device's resolved policy from the baseline, its groups and itself, and queues
// one `policy.apply` for every device whose resolved version changed, all in the caller's
// transaction: a newer policy replaces one still waiting, so a device never has two in flight.
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  compileAgentPayload,
  PolicyLayer,
  PolicyValidationError,
  resolvePolicy,
  ResolvedPolicy,
  SettingPath,
} from '@app/policy';
import type { AuditActor } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { HubEvents } from '../common/hub-events';
import { groupBy } from '../common/group-by';
import type { Tx } from '../database/transaction-runner';
import { CommandsService } from '../commands/commands.service';
import { DevicesRepository } from '../devices/devices.repository';
import { PolicyAssignmentEntity, PolicyEntity } from './policy.entities';
import { PoliciesRepository } from './policies.repository';
import { PolicyOverlayEntity } from './policy-overlay.entity';
import { PolicyOverlaysRepository } from './policy-overlays.repository';

/** Every policy and assignment: small, so a change is resolved against it in memory first. */
export interface PolicyWorld {
  policies: Map<string, PolicyEntity>;
  assignments: PolicyAssignmentEntity[];
  /** Policy overlays in force (issue 12), by device: the narrowest layer of each. */
  overlays: Map<string, PolicyOverlayEntity[]>;
}

/** Overlays by device, for a PolicyWorld. */
export function overlaysByDevice(
  overlays: readonly PolicyOverlayEntity[],
): Map<string, PolicyOverlayEntity[]> {
  const byDevice = new Map<string, PolicyOverlayEntity[]>();
  for (const overlay of overlays) {
    const list = byDevice.get(overlay.deviceId) ?? [];
    list.push(overlay);
    byDevice.set(overlay.deviceId, list);
  }
  return byDevice;
}

/**
 * An overlay as a policy layer (scope `overlay`, the narrowest). Of two overlays on one device
 * that set the same setting, the later one wins (priority is when it was applied, in ms). The
 * id names the source and the settings, so devices with the same overlay share one resolution.
 */
export function overlayLayer(overlay: PolicyOverlayEntity): PolicyLayer {
  const priority = overlay.appliedAt.getTime();
  const digest = createHash('sha256')
    .update(`${priority}:${overlay.settings}`)
    .digest('hex')
    .slice(0, 16);
  return {
    id: `overlay:${overlay.sourceKind}:${overlay.sourceId}:${digest}`,
    name: overlay.label,
    scope: 'overlay',
    priority,
    settings: JSON.parse(overlay.settings) as PolicyLayer['settings'],
    enforced: [],
  };
}

export interface RolloutPlan {
  /** Devices whose policy changes, grouped by their new version. */
  byVersion: Map<string, { deviceIds: string[]; resolved: ResolvedPolicy }>;
  /**
   * Devices whose layers do not combine into valid settings, with the reason; `recorded` when the
   * device is already failed with this very conflict (nothing to write).
   */
  conflicts: { deviceId: string; error: PolicyValidationError; recorded: boolean }[];
  deviceCount: number;
}

/** What a device's compliance says when its policies conflict (`policyDetail`, 500 at most). */
export function conflictDetail(error: PolicyValidationError): string {
  return `The policies for this device conflict: ${error.field}: ${error.message}`.slice(0, 500);
}

export function layerOf(assignment: PolicyAssignmentEntity, policy: PolicyEntity): PolicyLayer {
  return {
    id: assignment.id,
    name: policy.name,
    scope: assignment.scope,
    priority: assignment.priority,
    settings: JSON.parse(policy.settings) as PolicyLayer['settings'],
    enforced: JSON.parse(policy.enforced) as SettingPath[],
  };
}

@Injectable()
export class PolicyRolloutService {
  // Policy changes and overlays plan against the current policies, so they are made one at a
  // time on this hub (PoliciesService and PolicyOverlaysService share this queue).
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly policies: PoliciesRepository,
    private readonly overlays: PolicyOverlaysRepository,
    private readonly devices: DevicesRepository,
    private readonly commands: CommandsService,
    private readonly events: HubEvents,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs `work` after every policy change or overlay change this hub started before it: each
   * plans against the policies as the one before it left them.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.serial.then(work);
    this.serial = result.catch(() => undefined);
    return result;
  }

  async loadWorld(): Promise<PolicyWorld> {
    const [policies, assignments, overlays] = await Promise.all([
      this.policies.all(),
      this.policies.allAssignments(),
      this.overlays.all(),
    ]);
    return {
      policies: new Map(policies.map((p) => [p.id, p])),
      assignments,
      overlays: overlaysByDevice(overlays),
    };
  }

  /** `parsed` keeps each assignment's layer, so resolving many devices parses each policy once. */
  layersFor(
    world: PolicyWorld,
    deviceId: string,
    groupIds: ReadonlySet<string>,
    parsed = new Map<string, PolicyLayer>(),
  ): PolicyLayer[] {
    const layers: PolicyLayer[] = [];
    for (const assignment of world.assignments) {
      const applies =
        assignment.scope === 'baseline' ||
        (assignment.scope === 'group' && groupIds.has(assignment.targetId ?? '')) ||
        (assignment.scope === 'device' && assignment.targetId === deviceId);
      const policy = world.policies.get(assignment.policyId);
      if (applies && policy) {
        let layer = parsed.get(assignment.id);
        if (!layer) {
          layer = layerOf(assignment, policy);
          parsed.set(assignment.id, layer);
        }
        layers.push(layer);
      }
    }
    for (const overlay of world.overlays.get(deviceId) ?? []) {
      layers.push(overlayLayer(overlay));
    }
    return layers;
  }

  /** Resolves many devices; devices with the same layers share one resolution. */
  async resolveDevices(world: PolicyWorld, deviceIds: readonly string[]) {
    const groupsOf = new Map<string, Set<string>>();
    for (const { deviceId, groupId } of await this.devices.memberships(deviceIds)) {
      let set = groupsOf.get(deviceId);
      if (!set) {
        set = new Set();
        groupsOf.set(deviceId, set);
      }
      set.add(groupId);
    }
    const cache = new Map<string, ResolvedPolicy | PolicyValidationError>();
    const results = new Map<string, ResolvedPolicy | PolicyValidationError>();
    const parsed = new Map<string, PolicyLayer>();
    const noGroups = new Set<string>();
    for (const deviceId of deviceIds) {
      const layers = this.layersFor(world, deviceId, groupsOf.get(deviceId) ?? noGroups, parsed);
      const key = layers
        .map((layer) => layer.id)
        .sort()
        .join(',');
      let result = cache.get(key);
      if (!result) {
        try {
          result = resolvePolicy(layers);
        } catch (error) {
          if (!(error instanceof PolicyValidationError)) {
            throw error;
          }
          result = error;
        }
        cache.set(key, result);
      }
      results.set(deviceId, result);
    }
    return results;
  }

  async resolveDevice(world: PolicyWorld, deviceId: string): Promise<ResolvedPolicy> {
    const result = (await this.resolveDevices(world, [deviceId])).get(deviceId);
    if (!result || result instanceof PolicyValidationError) {
      throw result ?? new Error('device not resolved');
    }
    return result;
  }

  /**
   * Which devices need a new `policy.apply`: every active device (or those given) whose
   * resolved version differs from the one it should run, or whose policies conflicted until now
   * (a conflict is settled by planning the device again, even to the version it had), or all of
   * them when `force`. Every active device is read in one query.
   */
  async plan(
    world: PolicyWorld,
    deviceIds?: readonly string[],
    force = false,
  ): Promise<RolloutPlan> {
    const states = (await this.devices.policyStates(deviceIds)).filter(
      (state) => state.status === 'active',
    );
    const resolved = await this.resolveDevices(
      world,
      states.map((state) => state.id),
    );
    const plan: RolloutPlan = { byVersion: new Map(), conflicts: [], deviceCount: states.length };
    for (const state of states) {
      const result = resolved.get(state.id);
      if (!result) {
        continue;
      }
      if (result instanceof PolicyValidationError) {
        plan.conflicts.push({
          deviceId: state.id,
          error: result,
          recorded: state.policyConflict && state.policyDetail === conflictDetail(result),
        });
        continue;
      }
      if (!force && !state.policyConflict && result.version === state.desiredPolicyVersion) {
        continue;
      }
      const entry = plan.byVersion.get(result.version) ?? { deviceIds: [], resolved: result };
      entry.deviceIds.push(state.id);
      plan.byVersion.set(result.version, entry);
    }
    return plan;
  }

  changedDeviceIds(plan: RolloutPlan): string[] {
    return [...plan.byVersion.values()].flatMap((entry) => entry.deviceIds);
  }

  /** Whether applying the plan would write anything: an apply to queue or a new conflict. */
  changesAnything(plan: RolloutPlan): boolean {
    return plan.byVersion.size > 0 || plan.conflicts.some((conflict) => !conflict.recorded);
  }

  /**
   * Writes the plan inside `tx`: retire waiting applies, queue new ones, mark devices pending,
   * and mark failed the devices whose policies newly conflict (one already failed with the same
   * conflict is left as it is, its time included, so a plan that judges it again writes nothing).
   * The plan was read before `tx`; a device revoked since is dropped from it here, under a row
   * lock (issue 8: a read, then a write of what was read), so a revoked device is never left a
   * pending `policy.apply`. `plan` is narrowed in place, so `announce` names only what was
   * queued or newly failed.
   */
  async apply(tx: Tx, actor: AuditActor, plan: RolloutPlan): Promise<void> {
    const now = this.clock.now();
    plan.conflicts = plan.conflicts.filter((conflict) => !conflict.recorded);
    const planned = [
      ...this.changedDeviceIds(plan),
      ...plan.conflicts.map((conflict) => conflict.deviceId),
    ];
    if (planned.length > 0) {
      const active = await this.devices.lockActive(tx, planned);
      for (const [version, entry] of plan.byVersion) {
        entry.deviceIds = entry.deviceIds.filter((id) => active.has(id));
        if (entry.deviceIds.length === 0) {
          plan.byVersion.delete(version);
        }
      }
      plan.conflicts = plan.conflicts.filter((conflict) => active.has(conflict.deviceId));
    }
    const changed = this.changedDeviceIds(plan);
    await this.commands.supersede(tx, changed, 'policy.apply', 'replaced by a newer policy');
    for (const [version, { deviceIds, resolved }] of plan.byVersion) {
      const request = {
        type: 'policy.apply' as const,
        payload: { ...compileAgentPayload(resolved) },
        expiresAt: null,
      };
      const rows = this.commands.buildRows(actor, deviceIds, request, null);
      // No names: a policy.apply is not audited per device (the policy change is, once).
      await this.commands.queue(tx, actor, rows, request, new Map());
      await this.devices.setPolicyState(tx, deviceIds, {
        desiredPolicyVersion: version,
        policyStatus: 'pending',
        policyDetail: null,
        policyChangedAt: now,
      });
    }
    if (plan.conflicts.length > 0) {
      const byDetail = groupBy(plan.conflicts, ({ error }) => conflictDetail(error));
      for (const [detail, conflicts] of byDetail) {
        const deviceIds = conflicts.map((conflict) => conflict.deviceId);
        await this.devices.setPolicyConflict(tx, deviceIds, detail, now);
      }
    }
  }

  /** Wakes delivery for the devices a committed plan queued commands for; counts move too. */
  announce(plan: RolloutPlan): void {
    const deviceIds = this.changedDeviceIds(plan);
    if (deviceIds.length > 0) {
      this.events.emit('commands.queued', { deviceIds });
    }
    // Devices made pending, or failed for conflicting policies: new counts for the console.
    const conflicted = plan.conflicts.map((conflict) => conflict.deviceId);
    if (deviceIds.length > 0 || conflicted.length > 0) {
      this.events.emit('compliance.changed', { deviceIds: [...deviceIds, ...conflicted] });
    }
  }
}
