// Whether each device runs the policy it should: `pending` once queued, `applied` when the
// device acknowledges the apply (or reports the desired version), `partial` when it acknowledges
// it with a list of settings it cannot enforce (protocol 1.1), `failed` when it answers the apply
// with an error. Also puts a policy back when a device reports another version than it should run.
import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { DeviceState } from '@app/devices';
import { Clock } from '../common/clock';
import { DeviceSnapshot, HubEvents } from '../common/hub-events';
import { groupBy } from '../common/group-by';
import { BatchWriter } from '../database/batch-writer';
import { TransactionRunner, type Tx } from '../database/transaction-runner';
import { CommandDeliveryService, type RecordedAnswer } from '../commands/command-delivery.service';
import { CommandsService } from '../commands/commands.service';
import { parsedPayload } from '../commands/parsed-payloads';
import { DevicesRepository } from '../devices/devices.repository';
import { toDeviceComplianceDto } from '../devices/devices.service';
import type { ComplianceCountsDto } from './dto/compliance.dto';
import { PoliciesRepository } from './policies.repository';
import { PoliciesService } from './policies.service';

/** A device's answer about one policy version; recorded only if that is still its desired one. */
export interface ComplianceChange {
  deviceId: string;
  version: string;
  status: 'applied' | 'partial' | 'failed';
  detail: string | null;
  /** The settings not enforced, for `partial`; null otherwise. */
  unenforced: string[] | null;
  /**
   * From a state report, which says the version but not what is enforced: it must not overwrite
   * the device's own answer (`applied` or `partial`) about the same version.
   */
  fromState: boolean;
}

/** Devices remembered in ComplianceService's `answered` before it starts again. */
const ANSWERED_KEPT = 50_000;

@Injectable()
export class ComplianceService
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(ComplianceService.name);
  private readonly writes: BatchWriter<ComplianceChange>;
  /** Devices that enrolled or changed groups, re-planned together a moment later. */
  private toRefresh = new Map<string, boolean>();
  /** Whether the next batch re-plans every active device (the start's plan). */
  private refreshEveryDevice = false;
  private refreshTimer: NodeJS.Timeout | null = null;
  /**
   * Devices whose answer to a `policy.apply` is committed, and its version: a state report
   * that follows the answer need not write compliance again. Cleared when it grows past
   * ANSWERED_KEPT (a device missing from it only costs one conditional write).
   */
  private readonly answered = new Map<string, string>();

  constructor(
    private readonly devices: DevicesRepository,
    private readonly policies: PoliciesRepository,
    private readonly policyService: PoliciesService,
    private readonly commands: CommandsService,
    private readonly events: HubEvents,
    private readonly clock: Clock,
    private readonly delivery: CommandDeliveryService,
    tx: TransactionRunner,
  ) {
    this.writes = new BatchWriter(tx, (t, changes) => this.write(t, changes));
  }

  /**
   * Writes compliance changes in `t`, one statement per distinct outcome. Conditional on the
   * version (issue 8 item 4): the desired version may have moved on since the report or answer
   * was read, and a late word about the old one is no news.
   */
  private async write(t: Tx, changes: readonly ComplianceChange[]): Promise<void> {
    const now = this.clock.now();
    const groups = groupBy(changes, (change) =>
      JSON.stringify([
        change.version,
        change.status,
        change.detail,
        change.unenforced,
        change.fromState,
      ]),
    );
    for (const group of groups.values()) {
      const [first] = group;
      await this.devices.setPolicyOutcome(
        t,
        group.map((change) => change.deviceId),
        first.version,
        {
          policyStatus: first.status,
          policyDetail: first.detail,
          policyUnenforced: first.unenforced ? JSON.stringify(first.unenforced) : null,
          policyChangedAt: now,
        },
        first.fromState,
      );
    }
  }

  /**
   * What recorded answers to `policy.apply` make of their devices' compliance, written in the
   * answers' own transaction (CommandDeliveryService.onAnswersRecorded). An acknowledged apply
   * is applied (protocol section 3), whether or not the device's state changed: a device sent
   * again the version it already runs reports no new state. With settings it could not enforce
   * it is `partial` (issue 9); a device that sends no list keeps the old meaning; an error is
   * `failed`. `not_now` changes nothing.
   */
  private async answersRecorded(t: Tx, answers: readonly RecordedAnswer[]): Promise<void> {
    const changes: ComplianceChange[] = [];
    for (const answer of answers) {
      if (
        answer.type !== 'policy.apply' ||
        (answer.status !== 'error' && answer.status !== 'acknowledged')
      ) {
        continue;
      }
      const version = this.versionOf(answer.payload);
      if (version) {
        changes.push(
          complianceOf(answer.deviceId, version, {
            status: answer.status,
            detail: answer.detail,
            unenforced: answer.unenforced,
          }),
        );
      }
    }
    if (changes.length > 0) {
      await this.write(t, changes);
    }
  }

  /** The policy version a `policy.apply` payload carries (parsed once per JSON: parsed-payloads). */
  private versionOf(payload: string): string | undefined {
    const version = parsedPayload(payload).policyVersion;
    return typeof version === 'string' ? version : undefined;
  }

  onModuleInit(): void {
    this.events.on('device.state', ({ deviceId, state, device, receivedMark }) =>
      this.stateReported(deviceId, state, device, receivedMark),
    );
    this.delivery.onAnswersRecorded((t, answers) => this.answersRecorded(t, answers));
    this.events.on('command.answered', (answer) => {
      // Committed with the answer (answersRecorded): the console's counts move (coalesced in
      // compliance-progress.ts).
      if (
        answer.type === 'policy.apply' &&
        (answer.status === 'error' || answer.status === 'acknowledged')
      ) {
        const version = this.versionOf(answer.payload);
        if (version) {
          if (this.answered.size >= ANSWERED_KEPT) {
            this.answered.clear();
          }
          this.answered.set(answer.deviceId, version);
        }
        this.events.emit('compliance.changed', { deviceIds: [answer.deviceId] });
      }
    });
    // A newly enrolled device gets its policy even if its record already had that version.
    this.events.on('device.enrolled', ({ deviceId }) => this.refreshSoon([deviceId], true));
    this.events.on('group.members.changed', ({ deviceIds }) => this.refreshSoon(deviceIds, false));
  }

  /**
   * Plans again, at start, the policy of every active device: the plans of enrolments and of a
   * group's new or removed members wait up to 200 ms in memory (refreshSoon), and a hub stopped
   * or killed in between would otherwise leave those devices without a policy, or on the one
   * they had before, shown as applied, until some policy changed (decisions.md, "A walk that
   * tried to break restarts, backups and retention"). A device gets a `policy.apply` only where
   * the version the hub resolves for it now is not the one it should run (a device with none
   * never has it), and a device whose policies conflict is marked failed only if it is not
   * already failed with that conflict, so a start after a clean stop writes nothing. The plan
   * reads the active devices once, in the first batch after the baseline is made.
   */
  onApplicationBootstrap(): void {
    this.refreshEveryDevice = true;
    this.refreshSoon([], false);
  }

  onApplicationShutdown(): void {
    if (this.refreshTimer) {
      clearTimeout(this.refreshTimer);
    }
  }

  /** Gathers devices for 200 ms so a batch of enrolments is one plan and one transaction. */
  private refreshSoon(deviceIds: readonly string[], force: boolean): void {
    for (const deviceId of deviceIds) {
      this.toRefresh.set(deviceId, force || (this.toRefresh.get(deviceId) ?? false));
    }
    if (this.refreshTimer) {
      return;
    }
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      const batch = this.toRefresh;
      const everyDevice = this.refreshEveryDevice;
      this.toRefresh = new Map();
      this.refreshEveryDevice = false;
      const forced = [...batch].filter(([, force]) => force).map(([id]) => id);
      const others = [...batch].filter(([, force]) => !force).map(([id]) => id);
      const work: Promise<void>[] = [];
      if (forced.length > 0) {
        work.push(this.policyService.refreshDevices(forced, true));
      }
      if (everyDevice) {
        work.push(this.policyService.refreshDevices(undefined, false));
      } else if (others.length > 0) {
        work.push(this.policyService.refreshDevices(others, false));
      }
      Promise.all(work).catch((error: unknown) =>
        this.logger.error(`Policy refresh failed: ${String(error)}`),
      );
    }, 200);
  }

  private async stateReported(
    deviceId: string,
    state: DeviceState,
    device: DeviceSnapshot,
    receivedMark: number,
  ): Promise<void> {
    // A device whose policies conflict stays failed whatever it runs: only a plan settles it.
    if (device.status !== 'active' || !device.desiredPolicyVersion || device.policyConflict) {
      return;
    }
    if (state.policyVersion === device.desiredPolicyVersion) {
      if (device.policyStatus !== 'applied' && device.policyStatus !== 'partial') {
        // A device reports its new state just after it answers the apply, and the snapshot was
        // read before that answer was written: once it is, the answer has said what the device
        // enforces, and a write from the state (which cannot say) is not needed.
        await this.delivery.answersWritten(deviceId);
        if (this.answered.get(deviceId) === device.desiredPolicyVersion) {
          this.answered.delete(deviceId);
          return;
        }
        await this.writes.add({
          deviceId,
          version: device.desiredPolicyVersion,
          status: 'applied',
          detail: null,
          unenforced: null,
          fromState: true,
        });
        this.events.emit('compliance.changed', { deviceIds: [deviceId] });
      }
      return;
    }
    // The device runs something else. Unless an apply is on its way, was answered after this
    // report came (the report shows the device before it applied; the next one says what it
    // runs now), or it already failed with this version, send the policy again (a reset device,
    // a restored backup).
    if (
      device.policyStatus === 'failed' ||
      (await this.commands.countOpen(deviceId, ['policy.apply'])) > 0 ||
      // After the read: an answer written before it had come before it, and is known here.
      this.delivery.answeredSince(deviceId, ['policy.apply'], receivedMark)
    ) {
      return;
    }
    // Batched: a whole fleet restarting reports at once.
    this.refreshSoon([deviceId], true);
  }

  /** Devices by compliance status, overall and for each policy's reach: four reads in all. */
  async summary() {
    const [policies, assignments, statuses, memberships] = await Promise.all([
      this.policies.all(),
      this.policies.allAssignments(),
      this.devices.policyStatuses(),
      this.devices.memberships(),
    ]);
    const statusOf = new Map(statuses.map(({ id, status }) => [id, status]));
    const activeIds = [...statusOf.keys()];
    const countOf = (ids: readonly string[]) => {
      const counts: Record<string, number> = {};
      for (const id of ids) {
        const status = statusOf.get(id) ?? 'none';
        counts[status] = (counts[status] ?? 0) + 1;
      }
      return statusCounts(counts);
    };
    const byPolicy = policies.map((policy) => {
      const ids = this.reachOf(policy.id, assignments, activeIds, memberships);
      return { policyId: policy.id, name: policy.name, devices: ids.length, ...countOf(ids) };
    });
    return { devices: activeIds.length, byStatus: countOf(activeIds), byPolicy };
  }

  async devicesWith(
    status: string | undefined,
    policyId: string | undefined,
    page: number,
    pageSize: number,
  ) {
    let ids: string[] | undefined;
    if (policyId) {
      const [assignments, activeIds, memberships] = await Promise.all([
        this.policies.allAssignments(),
        this.devices.activeDeviceIds(),
        this.devices.memberships(),
      ]);
      ids = this.reachOf(policyId, assignments, activeIds, memberships);
    }
    const [devices, total] = await this.devices.findByPolicyStatus(
      status,
      ids,
      (page - 1) * pageSize,
      pageSize,
    );
    return {
      items: devices.map((d) => ({
        id: d.id,
        name: d.name,
        serialNumber: d.serialNumber,
        assetTag: d.assetTag,
        ...toDeviceComplianceDto(d),
        reportedVersion: d.reportedState
          ? ((JSON.parse(d.reportedState) as { policyVersion?: string | null }).policyVersion ??
            null)
          : null,
      })),
      total,
      page,
      pageSize,
    };
  }

  /** The active devices a policy is assigned to, through the baseline, a group or directly. */
  private reachOf(
    policyId: string,
    assignments: { policyId: string; scope: string; targetId: string | null }[],
    activeIds: string[],
    memberships: { deviceId: string; groupId: string }[],
  ): string[] {
    const mine = assignments.filter((a) => a.policyId === policyId);
    if (mine.some((a) => a.scope === 'baseline')) {
      return activeIds;
    }
    const active = new Set(activeIds);
    const groups = new Set(mine.filter((a) => a.scope === 'group').map((a) => a.targetId));
    const reach = new Set(
      mine.filter((a) => a.scope === 'device').map((a) => a.targetId as string),
    );
    for (const { deviceId, groupId } of memberships) {
      if (groups.has(groupId)) {
        reach.add(deviceId);
      }
    }
    return [...reach].filter((id) => active.has(id));
  }
}

function statusCounts(counts: Record<string, number>): ComplianceCountsDto {
  return {
    pending: counts.pending ?? 0,
    applied: counts.applied ?? 0,
    partial: counts.partial ?? 0,
    failed: counts.failed ?? 0,
    none: counts.none ?? 0,
  };
}

/**
 * What a device's answer to a `policy.apply` of `version` makes its compliance: `applied` when
 * acknowledged with no list or an empty one, `partial` with the list, `failed` on an error.
 */
export function complianceOf(
  deviceId: string,
  version: string,
  answer: { status: 'acknowledged' | 'error'; detail: string | null; unenforced: string[] | null },
): ComplianceChange {
  if (answer.status === 'error') {
    return {
      deviceId,
      version,
      status: 'failed',
      detail: answer.detail ?? 'The device could not apply the policy',
      unenforced: null,
      fromState: false,
    };
  }
  const unenforced = answer.unenforced && answer.unenforced.length > 0 ? answer.unenforced : null;
  return {
    deviceId,
    version,
    status: unenforced ? 'partial' : 'applied',
    detail: unenforced ? answer.detail : null,
    unenforced,
    fromState: false,
  };
}
