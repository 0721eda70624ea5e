// One timed policy change, as bench:policy and bench:cluster measure it: the request, the time
// until 99% and all of the devices acknowledged the new version (timed where each device
// answers), and until the hub's compliance shows them all applied.
import { CommandAnswer, CommandEnvelope } from '@app/devices';
import { cpuMsOf, percentile, sleep, StaffApi, waitUntil } from './support';

/** When each device acknowledged each policy version; pass `onAnswer` to runSimulator. */
export class PolicyAcks {
  /** Acknowledgement times (ms since the epoch), by policy version. */
  private readonly at = new Map<string, number[]>();

  readonly onAnswer = (
    _deviceId: string,
    command: CommandEnvelope,
    answer: CommandAnswer,
    atMs: number,
  ): void => {
    if (command.type === 'policy.apply' && answer.status === 'acknowledged') {
      const version = command.payload.policyVersion;
      const times = this.at.get(version) ?? [];
      times.push(atMs);
      this.at.set(version, times);
    }
  };

  count(version: string): number {
    return this.at.get(version)?.length ?? 0;
  }

  times(version: string): number[] {
    return this.at.get(version) ?? [];
  }
}

/** A hub whose figures are printed with each change. */
export interface MeasuredHub {
  name: string;
  api: StaffApi;
  pid: number | undefined;
}

export interface PolicyChangeOptions {
  /** Printed before the figures ("round 1"). */
  label: string;
  /** The hub the change is made through (staff signed in). */
  api: StaffApi;
  policyId: string;
  /** How many devices get the change (all must acknowledge it). */
  devices: number;
  acks: PolicyAcks;
  /** A device the policy reaches: its resolved version is the one the devices must apply. */
  sampleDeviceId: string;
  /** How many devices compliance shows applied (the count the benchmark cares about). */
  appliedCount: () => Promise<number>;
  /** Whose event-loop delay, memory and CPU to print (one hub, or each hub of a cluster). */
  hubs: MeasuredHub[];
  /** How often to ask for the compliance count once every device acknowledged; default 50 ms. */
  compliancePollMs?: number;
  /**
   * How long after the last acknowledgement compliance may take to show every device applied
   * before the change is reported as "compliance never caught up" (default 60 s).
   */
  complianceTimeoutMs?: number;
}

export interface PolicyChangeFigures {
  requestMs: number;
  ack99: number;
  ackAll: number;
  /** Null when compliance did not show every device applied in time (printed, with the count). */
  complianceMs: number | null;
}

/**
 * Changes the policy's auto-lock minutes to a value no earlier change left in place (so every
 * device has something to apply), then waits for every acknowledgement and for compliance; prints
 * two lines of figures and returns them.
 *
 * @throws Error when not every device acknowledged in 5 minutes
 */
export async function timePolicyChange(opts: PolicyChangeOptions): Promise<PolicyChangeFigures> {
  const { api, policyId } = opts;
  const current = (
    await api.call<{ settings: Record<string, unknown> & { screen?: Record<string, unknown> } }>(
      'GET',
      `/api/policies/${policyId}`,
    )
  ).settings;
  const autoLockMinutes = ((Number(current.screen?.autoLockMinutes) || 0) % 30) + 1;
  const settings = {
    ...current,
    screen: { ...current.screen, autoLockMinutes, requirePasscode: true },
  };
  await Promise.all(opts.hubs.map((hub) => hub.api.call('POST', '/api/metrics/event-loop/reset')));
  const hubCpu0 = opts.hubs.map((hub) => cpuMsOf(hub.pid));
  const ownCpu0 = process.cpuUsage();
  const t0 = Date.now();
  const response = await api.call<{ revision: number }>('PATCH', `/api/policies/${policyId}`, {
    settings,
  });
  const requestMs = Date.now() - t0;
  const version = (
    await api.call<{ version: string }>('GET', `/api/devices/${opts.sampleDeviceId}/policy`)
  ).version;
  await waitUntil(
    'all acknowledged',
    async () => opts.acks.count(version) >= opts.devices,
    5 * 60_000,
    5,
  );
  const times = opts.acks.times(version).map((at) => at - t0);
  let complianceMs: number | null;
  let complianceText: string;
  try {
    await waitUntil(
      'compliance applied',
      async () => (await opts.appliedCount()) >= opts.devices,
      opts.complianceTimeoutMs ?? 60_000,
      opts.compliancePollMs ?? 50,
    );
    complianceMs = Date.now() - t0;
    complianceText = `compliance all applied ${complianceMs} ms after the change`;
  } catch {
    // Every device acknowledged, yet the hub did not record it: a hub fault the figures must
    // show (see the hub's log), not a reason to stop the run.
    complianceMs = null;
    complianceText = `COMPLIANCE NEVER CAUGHT UP: ${await opts.appliedCount()} of ${opts.devices} applied ${Math.round((Date.now() - t0) / 1000)} s after the change (see the hub log)`;
  }
  const ownCpu = process.cpuUsage(ownCpu0);
  const hubLines = await Promise.all(
    opts.hubs.map(async (hub, i) => {
      const metrics = await hub.api.metrics();
      const cpu = Math.round(cpuMsOf(hub.pid) - hubCpu0[i]);
      return `${hub.name} event-loop delay p99 ${metrics.eventLoopDelayMs.p99} ms (max ${metrics.eventLoopDelayMs.max} ms), RSS ${metrics.rssMb} MB, heap ${metrics.heapUsedMb} MB, CPU ${cpu} ms`;
    }),
  );
  const figures: PolicyChangeFigures = {
    requestMs,
    ack99: percentile(times, 99),
    ackAll: Math.max(...times),
    complianceMs,
  };
  console.log(
    `${opts.label} (revision ${response.revision}): request ${requestMs} ms; acknowledged by 99% in ${figures.ack99} ms, by all in ${figures.ackAll} ms; ${complianceText}; ${hubLines.join('; ')}`,
  );
  console.log(
    `  acknowledged: first ${Math.min(...times)} ms, 10% ${percentile(times, 10)} ms, 50% ${percentile(times, 50)} ms, 90% ${percentile(times, 90)} ms; CPU used by the simulated devices in this process ${Math.round((ownCpu.user + ownCpu.system) / 1000)} ms`,
  );
  await sleep(2000);
  return figures;
}

/** "median X ms, worst Y ms" of one figure over the counted changes. */
export function summarise(
  measured: PolicyChangeFigures[],
  pick: (figures: PolicyChangeFigures) => number | null,
): { median: number | string; worst: number | string; text: string } {
  const values = measured.map(pick).filter((value): value is number => value !== null);
  const missing = measured.length - values.length;
  if (values.length === 0) {
    return { median: 'never', worst: 'never', text: 'never (in any change)' };
  }
  const median = percentile(values, 50);
  const worst = missing > 0 ? 'never' : Math.max(...values);
  const text =
    missing > 0
      ? `median ${median} ms of the ${values.length} that got there; never in ${missing} of ${measured.length}`
      : `median ${median} ms, worst ${worst} ms`;
  return { median, worst, text };
}
