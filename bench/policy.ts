// npm run bench:policy — a baseline change reaching 5,000 connected devices. A real hub process
// and 5,000 simulated devices in this process (each answer timed where the device makes it);
// prints the time until 99% and 100% have acknowledged the new policy and until the hub's
// compliance shows them applied, with the hub's event-loop delay and the CPU each side used.
import { CommandAnswer, CommandEnvelope } from '@app/devices';
import { SCHOOL_BASELINE } from '@app/policy';
import { runSimulator } from '../apps/device-agent/src/simulate';
import {
  cpuMsOf,
  dataDir,
  HubProcess,
  numberArg,
  percentile,
  sleep,
  StaffApi,
  waitUntil,
} from './support';

/** Devices the hub counts as applied: the cheap count, not the full summary a person reads. */
async function appliedCount(api: StaffApi): Promise<number> {
  return (
    await api.call<{ total: number }>('GET', '/api/compliance/devices?status=applied&pageSize=1')
  ).total;
}

async function main(): Promise<void> {
  const total = numberArg('devices', 5000);
  const rounds = numberArg('rounds', 3);
  const dir = dataDir('policy');
  const hub = new HubProcess(dir, numberArg('port', 18182));
  console.log(`bench:policy — ${total} devices, ${rounds} baseline changes`);
  await hub.start();
  const api = new StaffApi(hub.url);
  await api.login();
  const baseline = (await api.call<{ id: string; name: string }[]>('GET', '/api/policies')).find(
    (p) => p.name === 'School baseline',
  );
  if (!baseline) {
    throw new Error('no School baseline policy');
  }
  /** When each device acknowledged each policy version (ms since the epoch). */
  const appliedAt = new Map<string, number[]>();
  const started = Date.now();
  const devices = await runSimulator({
    hubUrl: hub.url,
    token: await api.enrollmentToken([], total),
    devices: total,
    group: 'fleet',
    stateFile: `${dir}/fleet.json`,
    concurrency: 32,
    enforcer: { historyLimit: 5 },
    onAnswer: (
      _deviceId: string,
      command: CommandEnvelope,
      answer: CommandAnswer,
      atMs: number,
    ) => {
      if (command.type === 'policy.apply' && answer.status === 'acknowledged') {
        const version = command.payload.policyVersion;
        const times = appliedAt.get(version) ?? [];
        times.push(atMs);
        appliedAt.set(version, times);
      }
    },
  });
  try {
    await devices.waitForConnected(total, 30 * 60_000);
    console.log(
      `${total} devices enrolled (new or reused) and connected in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    await waitUntil(
      'the current policy applied everywhere',
      async () => (await appliedCount(api)) >= total,
      10 * 60_000,
      1000,
    );
    /** One baseline change, timed from the request until compliance shows every device applied. */
    const change = async (label: string) => {
      // A value no earlier round or run left in place, so every device has something to apply.
      const current = (
        await api.call<{ settings: typeof SCHOOL_BASELINE }>('GET', `/api/policies/${baseline.id}`)
      ).settings.screen.autoLockMinutes;
      const autoLockMinutes = (current % 30) + 1;
      await api.call('POST', '/api/metrics/event-loop/reset');
      const hubCpu0 = cpuMsOf(hub.pid);
      const ownCpu0 = process.cpuUsage();
      const t0 = Date.now();
      const response = await api.call<{ revision: number }>(
        'PATCH',
        `/api/policies/${baseline.id}`,
        {
          settings: { ...SCHOOL_BASELINE, screen: { autoLockMinutes, requirePasscode: true } },
        },
      );
      const requestMs = Date.now() - t0;
      const device = (await api.call<{ items: { id: string }[] }>('GET', '/api/devices?pageSize=1'))
        .items[0];
      const version = (
        await api.call<{ version: string }>('GET', `/api/devices/${device.id}/policy`)
      ).version;
      await waitUntil(
        'all acknowledged',
        async () => (appliedAt.get(version)?.length ?? 0) >= total,
        5 * 60_000,
        5,
      );
      const times = (appliedAt.get(version) ?? []).map((at) => at - t0);
      await waitUntil(
        'compliance applied',
        async () => (await appliedCount(api)) >= total,
        5 * 60_000,
        50,
      );
      const complianceMs = Date.now() - t0;
      const hubCpuMs = cpuMsOf(hub.pid) - hubCpu0;
      const ownCpu = process.cpuUsage(ownCpu0);
      const metrics = await api.metrics();
      const figures = {
        ack99: percentile(times, 99),
        ackAll: Math.max(...times),
        complianceMs,
      };
      console.log(
        `${label} (revision ${response.revision}): request ${requestMs} ms; acknowledged by 99% in ${figures.ack99} ms, by all in ${figures.ackAll} ms; compliance all applied ${complianceMs} ms after the change; hub event-loop delay p99 ${metrics.eventLoopDelayMs.p99} ms (max ${metrics.eventLoopDelayMs.max} ms), RSS ${metrics.rssMb} MB, heap ${metrics.heapUsedMb} MB`,
      );
      console.log(
        `  acknowledged: first ${Math.min(...times)} ms, 10% ${percentile(times, 10)} ms, 50% ${percentile(times, 50)} ms, 90% ${percentile(times, 90)} ms; CPU used: hub ${Math.round(hubCpuMs)} ms, simulated devices ${Math.round((ownCpu.user + ownCpu.system) / 1000)} ms`,
      );
      await sleep(2000);
      return figures;
    };

    // The simulator runs 5,000 devices' code in one process, so its first policy.apply runs
    // before V8 has optimised that path (real devices each run their own). One change warms it;
    // it is printed, and not counted.
    await change('warm-up change (not counted)');
    const measured: Awaited<ReturnType<typeof change>>[] = [];
    for (let round = 0; round < rounds; round += 1) {
      measured.push(await change(`round ${round + 1}`));
    }
    const summary = (pick: (figures: (typeof measured)[number]) => number) =>
      `median ${percentile(measured.map(pick), 50)} ms, worst ${Math.max(...measured.map(pick))} ms`;
    console.log(
      `over ${rounds} changes: 99% acknowledged ${summary((f) => f.ack99)}; all acknowledged ${summary((f) => f.ackAll)}; compliance all applied ${summary((f) => f.complianceMs)}`,
    );
  } finally {
    await devices.stop();
    await hub.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
