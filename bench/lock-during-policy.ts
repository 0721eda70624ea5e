// A class lock issued while a policy change is reaching thousands of other devices (issue 12's
// fourth figure): a real hub process, a simulator process holding the fleet (default 5,000) under
// a group policy, and a class of 30 in this process. Each round changes the fleet's policy, waits
// a moment so that its fan-out is under way, locks the class and times the request to all 30
// acknowledgements (timed where each device answers), then unlocks it and waits for the fan-out
// to finish. Run by bench:classroom; on its own: `node dist/bench/lock-during-policy.js`.
import { CommandAnswer, CommandEnvelope } from '@app/devices';
import { runSimulator } from '../apps/device-agent/src/simulate';
import {
  Cleanup,
  HubProcess,
  numberArg,
  percentile,
  runBench,
  sleep,
  StaffApi,
  startSimulator,
  stopChild,
  waitUntil,
} from './support';

const CLASS_SIZE = 30;

/** The figures of one run: milliseconds. */
export interface LockDuringPolicyFigures {
  fleet: number;
  rounds: number;
  lockP50: number;
  lockP99: number;
  lockMax: number;
  /** Of which the lock request's own answer (the commands queued): p50 and p99. */
  requestP50: number;
  requestP99: number;
  /** Request to all of the fleet acknowledged, median over the rounds. */
  fanOutMedianMs: number;
  loopP99: number;
}

/**
 * Runs the measurement against `hub` (already started, `api` signed in).
 * @param fleet devices that get the policy change (in a simulator process)
 * @param rounds policy changes, each with one class lock during it
 * @param dir the bench's data dir (the simulators' state files and logs)
 */
export async function lockDuringPolicyChange(
  cleanup: Cleanup,
  hub: HubProcess,
  api: StaffApi,
  dir: string,
  fleet: number,
  rounds: number,
): Promise<LockDuringPolicyFigures> {
  const fleetGroup = await api.group('bench-policy-fleet');
  const classGroup = await api.group('bench-lock-class');
  const policies = await api.call<{ id: string; name: string }[]>('GET', '/api/policies');
  let policyId = policies.find((p) => p.name === 'Bench fleet policy')?.id;
  if (!policyId) {
    policyId = (
      await api.call<{ id: string }>('POST', '/api/policies', {
        name: 'Bench fleet policy',
        settings: { screen: { autoLockMinutes: 5 } },
      })
    ).id;
    await api.call('POST', `/api/policies/${policyId}/assignments`, {
      scope: 'group',
      targetId: fleetGroup,
    });
  }
  const simulator = startSimulator(
    hub.url,
    await api.enrollmentToken([fleetGroup], fleet),
    fleet,
    'policy-fleet',
    dir,
  );
  cleanup.add('stop the fleet simulator', () => stopChild(simulator, 'SIGTERM'));
  const answered = new Map<string, number>();
  const classDevices = await runSimulator({
    hubUrl: hub.url,
    token: await api.enrollmentToken([classGroup], CLASS_SIZE),
    devices: CLASS_SIZE,
    group: 'lock-class',
    stateFile: `${dir}/lock-class.json`,
    onAnswer: (_d: string, command: CommandEnvelope, _a: CommandAnswer, atMs: number) => {
      answered.set(command.id, atMs);
    },
  });
  cleanup.add('disconnect the class', () => classDevices.stop());
  const before = (await api.metrics()).connectedDevices;
  await waitUntil(
    'the fleet connected',
    async () => (await api.metrics()).connectedDevices >= fleet + CLASS_SIZE,
    30 * 60_000,
    1000,
  );
  const open = (m: { commands: Record<string, number> }) =>
    (m.commands.pending ?? 0) + (m.commands.sent ?? 0);
  await waitUntil(
    'the fleet settled',
    async () => open(await api.metrics()) === 0,
    10 * 60_000,
    500,
  );
  console.log(
    `${before} devices were connected; fleet of ${fleet} and class of ${CLASS_SIZE} ready`,
  );

  const lockMs: number[] = [];
  const fanOutMs: number[] = [];
  const requestMs: number[] = [];
  await api.call('POST', '/api/metrics/event-loop/reset');
  for (let round = 0; round < rounds; round += 1) {
    const changed = Date.now();
    await api.call('PATCH', `/api/policies/${policyId}`, {
      settings: { screen: { autoLockMinutes: (round % 20) + 1 } },
    });
    await sleep(50 + ((round * 37) % 200));
    const started = Date.now();
    const issued = await api.call<{ commands: { id: string }[] }>(
      'POST',
      `/api/groups/${classGroup}/commands`,
      { type: 'device.lock', payload: { reason: 'class', message: 'Eyes on the board' } },
    );
    requestMs.push(Date.now() - started);
    await waitUntil(
      '30 acknowledgements',
      async () => issued.commands.every((c) => answered.has(c.id)),
      60_000,
      1,
    );
    lockMs.push(Math.max(...issued.commands.map((c) => answered.get(c.id) as number)) - started);
    await waitUntil(
      'the fan-out done',
      async () => open(await api.metrics()) === 0,
      5 * 60_000,
      20,
    );
    fanOutMs.push(Date.now() - changed);
    await api.call('POST', `/api/groups/${classGroup}/commands`, {
      type: 'device.unlock',
      payload: {},
    });
    await waitUntil('unlocked', async () => open(await api.metrics()) === 0, 60_000, 10);
  }
  const loop = (await api.metrics()).eventLoopDelayMs;
  const sorted = [...fanOutMs].sort((a, b) => a - b);
  return {
    fleet,
    rounds,
    lockP50: percentile(lockMs, 50),
    lockP99: percentile(lockMs, 99),
    lockMax: Math.max(...lockMs),
    requestP50: percentile(requestMs, 50),
    requestP99: percentile(requestMs, 99),
    fanOutMedianMs: sorted[Math.floor(sorted.length / 2)],
    loopP99: loop.p99,
  };
}

if (require.main === module) {
  runBench(async (cleanup) => {
    const { benchDatabase } = await import('./support');
    const database = await benchDatabase('lock-during-policy');
    const hub = new HubProcess(database.dir, numberArg('port', 18185), database.env);
    cleanup.add('stop the hub', () => hub.stop());
    await hub.start();
    const api = new StaffApi(hub.url);
    await api.login();
    const figures = await lockDuringPolicyChange(
      cleanup,
      hub,
      api,
      database.dir,
      numberArg('fleet', 5000),
      numberArg('rounds', 20),
    );
    console.log(
      `class lock (30) during a policy change to ${figures.fleet} devices, ${figures.rounds} rounds on ${database.label}: request to 30 of 30 acknowledged p50 ${figures.lockP50} ms, p99 ${figures.lockP99} ms, max ${figures.lockMax} ms (of which the lock request's answer p50 ${figures.requestP50} ms, p99 ${figures.requestP99} ms); policy change to all acknowledged (hub's count) median ${figures.fanOutMedianMs} ms; hub event-loop delay p99 ${figures.loopP99} ms`,
    );
  });
}
