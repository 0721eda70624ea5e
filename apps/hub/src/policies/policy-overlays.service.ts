// Policy overlays (issue 12): settings laid over some devices' resolved policy for a while, held
// in the database. The contract, for the classroom (camera allowance) and trips (a trip's kit):
//
// - `applyOverlay({ source, deviceIds, settings, expiresAt, actor, label? })` lays `settings`
//   (PartialPolicySettings, any subset of PolicySettings) over each device's policy as the
//   narrowest layer (libs/policy scope `overlay`): it wins over the baseline, groups and the
//   device's own profile, except for a setting a wider profile *enforces*. One overlay per
//   (source, device): applying again for the same source and device replaces its settings and
//   expiry; other devices of the source keep theirs. Of two sources' overlays on one device that
//   set the same setting, the one applied later wins. Unknown device ids are left out; revoked
//   devices get the row but no command (they are not active). `expiresAt` null: until removed.
// - `removeOverlay({ source, deviceIds?, actor? })` removes the source's overlays (all of them,
//   or those on `deviceIds`); removing none is not an error.
// - Both resolve the devices again and push the new policy exactly as a policy change does
//   (policy-rollout.service.ts: one `policy.apply` per device whose version changed, replacing
//   any still waiting; compliance `pending` until the device reports it). A device that is offline
//   gets it when it reconnects: the `policy.apply` waits in the queue, and the desired version is
//   on the device's record, so a device that comes back on another version is sent it again.
//   GET /api/devices/:id/policy names the overlay (its `label`, scope `overlay`) in `decidedBy`.
// - Expiry: the hub that holds the scheduled-work lease removes expired overlays within about a
//   second of `expiresAt` on the hub's Clock, and at start (so an overlay that expired while the
//   hub was down is removed when it starts). Audited `policy.overlay_expired`, actor system.
// - Both resolve once the change is committed and delivery woken. They throw
//   BadRequestException (400) for settings that are not valid, an `expiresAt` not in the future,
//   or an overlay that would make a device's policies conflict (nothing is written then).
// - `options.within(tx)` runs first inside the same transaction (after this hub's queue of policy
//   changes): the caller's own writes (its audit entry, taking a sequence number, checking its
//   source is still running) commit or roll back with the overlay. Throwing in it writes nothing.
// - Audited: `policy.overlay_applied` / `policy.overlay_removed`, target the source (type = its
//   kind), detail: devices, the setting paths, expiresAt.
import {
  BadRequestException,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  PartialPolicySettings,
  PolicySettings,
  PolicyValidationError,
  SETTING_PATHS,
  getSetting,
  validatePartialSettings,
} from '@app/policy';
import type { AuditTarget } from '../audit/audit-labels';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { ScheduledWorkLease } from '../database/scheduled-work-lease';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { HubEvents } from '../common/hub-events';
import { DevicesRepository } from '../devices/devices.repository';
import { OverlaySourceKind, PolicyOverlayEntity } from './policy-overlay.entity';
import { PolicyOverlaysRepository } from './policy-overlays.repository';
import { overlaysByDevice, PolicyRolloutService, RolloutPlan } from './policy-rollout.service';

export type { OverlaySourceKind } from './policy-overlay.entity';

/** What lays an overlay: a class session (issue 12) or a trip (issue 13), by id. */
export interface OverlaySource {
  kind: OverlaySourceKind;
  id: string;
}

export interface ApplyOverlayInput {
  source: OverlaySource;
  deviceIds: readonly string[];
  settings: PartialPolicySettings;
  /** When it reverts by itself; null: only when removed. */
  expiresAt: Date | null;
  actor: AuditActor;
  /** What the overlay is called where a device's policy shows where a setting came from. */
  label?: string;
}

export interface RemoveOverlayInput {
  source: OverlaySource;
  /** Only these devices' overlays of the source; all of them when left out. */
  deviceIds?: readonly string[];
  /** Who removes it (the audit entry); the hub itself when left out. */
  actor?: AuditActor;
}

export interface OverlayOptions {
  /** Runs first inside the overlay's transaction; see the contract above. */
  within?: (tx: Tx) => Promise<void>;
}

/** How often the lease holder looks for expired overlays. */
export const OVERLAY_SWEEP_MS = 1000;
/** Overlays removed per sweep transaction. */
const EXPIRE_BATCH = 500;
const SYSTEM: AuditActor = { kind: 'system' };

/** The setting paths a partial settings object sets. */
export function settingPathsOf(settings: PartialPolicySettings): string[] {
  return SETTING_PATHS.filter((path) => getSetting(settings, path) !== undefined);
}

function sourceTarget(source: OverlaySource, label?: string): AuditTarget {
  return { type: source.kind, id: source.id, label: label ?? null };
}

@Injectable()
export class PolicyOverlaysService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PolicyOverlaysService.name);
  private stopSweeps: (() => void) | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly overlays: PolicyOverlaysRepository,
    private readonly rollout: PolicyRolloutService,
    private readonly devices: DevicesRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly lease: ScheduledWorkLease,
    private readonly events: HubEvents,
  ) {}

  onApplicationBootstrap(): void {
    // At start (an overlay that expired while the hub was down) and at a takeover, then every
    // second while this hub holds the lease.
    this.stopSweeps = this.lease.runWhileHeld(OVERLAY_SWEEP_MS, () => void this.sweepNow());
  }

  onApplicationShutdown(): void {
    this.stopSweeps?.();
    this.stopSweeps = null;
  }

  /**
   * Lays `settings` over these devices' policies (see the contract at the top of this file).
   *
   * @throws BadRequestException settings not valid, `expiresAt` not in the future, or a device's
   *   policies would conflict with the overlay
   */
  async applyOverlay(input: ApplyOverlayInput, options: OverlayOptions = {}): Promise<void> {
    let settings: PartialPolicySettings;
    try {
      settings = validatePartialSettings(input.settings);
    } catch (error) {
      if (error instanceof PolicyValidationError) {
        throw new BadRequestException(`settings.${error.field}: ${error.message}`);
      }
      throw error;
    }
    if (input.expiresAt !== null && input.expiresAt <= this.clock.now()) {
      throw new BadRequestException('expiresAt must be in the future');
    }
    const label = (input.label ?? `${input.source.kind} ${input.source.id}`).slice(0, 200);
    const json = JSON.stringify(settings);
    const plan = await this.rollout.exclusive(() =>
      this.tx.run(async (tx) => {
        await options.within?.(tx);
        const known = new Set(
          (await this.devices.policyStates([...new Set(input.deviceIds)])).map((d) => d.id),
        );
        const now = this.clock.now();
        const rows: PolicyOverlayEntity[] = [...known].map((deviceId) => ({
          id: randomUUID(),
          sourceKind: input.source.kind,
          sourceId: input.source.id,
          deviceId,
          label,
          settings: json,
          expiresAt: input.expiresAt,
          appliedAt: now,
          appliedByType: input.actor.kind === 'staff' ? 'staff' : 'system',
          appliedById: input.actor.kind === 'staff' ? input.actor.id : null,
        }));
        const world = await this.rollout.loadWorld();
        // The world as it will be: this source's old overlays on these devices replaced.
        const others = [...world.overlays.values()]
          .flat()
          .filter(
            (o) =>
              !(
                o.sourceKind === input.source.kind &&
                o.sourceId === input.source.id &&
                known.has(o.deviceId)
              ),
          );
        world.overlays = overlaysByDevice([...others, ...rows]);
        const plan = await this.rollout.plan(world, [...known]);
        if (plan.conflicts.length > 0) {
          const { error } = plan.conflicts[0];
          throw new BadRequestException(
            `${error.field}: ${error.message} (this overlay would make the policies of ${plan.conflicts.length} device(s) conflict)`,
          );
        }
        await this.overlays.replace(tx, input.source.kind, input.source.id, rows);
        await this.rollout.apply(tx, input.actor, plan);
        await this.audit.record(tx, {
          actor: input.actor,
          action: 'policy.overlay_applied',
          target: sourceTarget(input.source, label),
          detail: {
            devices: rows.length,
            settings: settingPathsOf(settings),
            expiresAt: input.expiresAt?.toISOString(),
            devicesAffected: this.rollout.changedDeviceIds(plan).length,
          },
        });
        return plan;
      }),
    );
    this.rollout.announce(plan);
  }

  /**
   * Removes a source's overlays (all, or those on `deviceIds`) and pushes each device's policy
   * without them (see the contract at the top of this file).
   */
  async removeOverlay(input: RemoveOverlayInput, options: OverlayOptions = {}): Promise<void> {
    const plan = await this.rollout.exclusive(() =>
      this.tx.run(async (tx) => {
        await options.within?.(tx);
        const existing = await this.overlays.ofSource(
          input.source.kind,
          input.source.id,
          input.deviceIds,
        );
        return this.removeIn(tx, existing, input.actor ?? SYSTEM, 'policy.overlay_removed');
      }),
    );
    if (plan) {
      this.rollout.announce(plan);
    }
  }

  /**
   * Each device's resolved settings now, overlays included (a device whose policies conflict is
   * left out): what a class checks an app against before keeping tablets in it (issue 12).
   */
  async resolvedSettings(deviceIds: readonly string[]): Promise<Map<string, PolicySettings>> {
    const world = await this.rollout.loadWorld();
    const out = new Map<string, PolicySettings>();
    for (const [deviceId, result] of await this.rollout.resolveDevices(world, deviceIds)) {
      if (!(result instanceof PolicyValidationError)) {
        out.set(deviceId, result.settings);
      }
    }
    return out;
  }

  /**
   * Until when a class session's overlay allows the camera on each of these devices (issue 12:
   * "compliance shows it", and the teacher's tiles): ISO 8601 UTC by device id, for overlays
   * not yet expired on the hub's clock; a device without one is not in the map. Read in `tx`
   * when given (the tiles read it with the devices' rows).
   */
  async classCameraUntil(deviceIds: readonly string[], tx?: Tx): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (deviceIds.length === 0) {
      return out;
    }
    const now = this.clock.nowMs();
    for (const row of await this.overlays.ofKindOn('class_session', deviceIds, tx)) {
      const settings = JSON.parse(row.settings) as { camera?: { allowed?: unknown } };
      if (settings.camera?.allowed === true && row.expiresAt && row.expiresAt.getTime() > now) {
        out.set(row.deviceId, row.expiresAt.toISOString());
      }
    }
    return out;
  }

  /** Overlays of a source now in force, by device id (for a view of what a source does). */
  async activeFor(source: OverlaySource): Promise<Map<string, PolicyOverlayEntity>> {
    const rows = await this.overlays.ofSource(source.kind, source.id);
    return new Map(rows.map((row) => [row.deviceId, row]));
  }

  /**
   * Removes the overlays whose expiry has passed, on the lease holder: each batch in one
   * transaction with the devices' new policies. Resolves when done (for the timer and tests).
   */
  sweepNow(): Promise<void> {
    this.sweeping ??= this.sweepExpired()
      .catch((error: unknown) => this.logger.error(`Overlay expiry failed: ${String(error)}`))
      .finally(() => {
        this.sweeping = null;
      });
    return this.sweeping;
  }

  private async sweepExpired(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const due = await this.overlays.expired(now, EXPIRE_BATCH);
      if (due.length === 0) {
        return;
      }
      let expired: string[] = [];
      const plan = await this.rollout.exclusive(() =>
        this.tx.run(async (tx) => {
          const gone = await this.overlays.deleteByIds(tx, due, now);
          expired = [...new Set(gone.map((overlay) => overlay.deviceId))];
          return this.removeIn(tx, gone, SYSTEM, 'policy.overlay_expired', true);
        }),
      );
      if (plan) {
        this.rollout.announce(plan);
      }
      if (expired.length > 0) {
        this.events.emit('overlays.expired', { deviceIds: expired });
      }
      if (due.length < EXPIRE_BATCH) {
        return;
      }
    }
  }

  /**
   * Inside `tx`: deletes `overlays` (unless `deleted` already), re-plans their devices without
   * them, queues the new policies and audits one entry per source. Null when there were none.
   */
  private async removeIn(
    tx: Tx,
    overlays: readonly PolicyOverlayEntity[],
    actor: AuditActor,
    action: string,
    deleted = false,
  ): Promise<RolloutPlan | null> {
    if (overlays.length === 0) {
      return null;
    }
    const ids = new Set(overlays.map((o) => o.id));
    const world = await this.rollout.loadWorld();
    world.overlays = overlaysByDevice(
      [...world.overlays.values()].flat().filter((o) => !ids.has(o.id)),
    );
    if (!deleted) {
      await this.overlays.deleteByIds(tx, overlays);
    }
    const deviceIds = [...new Set(overlays.map((o) => o.deviceId))];
    // Removing an overlay cannot make policies conflict that did not without it, unless they
    // already did; such devices are marked failed, as a group change marks them.
    const plan = await this.rollout.plan(world, deviceIds);
    await this.rollout.apply(tx, actor, plan);
    const bySource = new Map<string, PolicyOverlayEntity[]>();
    for (const overlay of overlays) {
      const key = `${overlay.sourceKind}:${overlay.sourceId}`;
      bySource.set(key, [...(bySource.get(key) ?? []), overlay]);
    }
    await this.audit.record(
      tx,
      ...[...bySource.values()].map((rows) => ({
        actor,
        action,
        target: sourceTarget({ kind: rows[0].sourceKind, id: rows[0].sourceId }, rows[0].label),
        detail: {
          devices: rows.length,
          settings: settingPathsOf(JSON.parse(rows[0].settings) as PartialPolicySettings),
        },
      })),
    );
    return plan;
  }
}
