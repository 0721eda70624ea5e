// npm run bench:classroom — the classroom figures of issue 12, on a real hub process:
// - one class of 30: the teacher's lock (or unlock) request to 30 of 30 acknowledged, p50/p99
//   over `--rounds` (default 100); and from that moment to the last `class.tile` showing the new
//   state on a watching /staff client;
// - `--classes` (default 100) classes of 30 locking at the same moment: p99 of each class's
//   30 of 30;
// - a class lock issued while a policy change is reaching the fleet (`--fleet`, default 5,000):
//   p99 of its 30 of 30, beside the fleet's time to 99% applied.
// The other devices (`--background`, default 10,000, fleet included) run in simulator processes;
// the classes run in this process through runSimulator, so every answer is timed where the
// device makes it. `--db postgres` runs the hub on PostgreSQL (support.ts). Figures are printed,
// never asserted: a benchmark, not a test.
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { io, Socket } from 'socket.io-client';
import type { CommandAnswer, CommandEnvelope } from '@app/devices';
import type { ClassActionAccepted, ClassTileEvent, ClassWatchAck } from '@app/hub-api';
import { runSimulator, SimulatorHandle } from '../apps/device-agent/src/simulate';
import {
  benchDatabase,
  cpuMsOf,
  HubProcess,
  numberArg,
  percentile,
  runBench,
  sleep,
  StaffApi,
  startSimulator,
  stopChild,
  waitUntil,
  writeFigures,
} from './support';

const CLASS_SIZE = 30;

interface BenchClass {
  id: string;
  groupId: string;
  deviceIds: string[];
}

/** Each device's latest answer to a lock or unlock: the command type and when. */
const lockAnswers = new Map<string, { type: string; at: number }>();
/** Called on every lock or unlock answer of that device (see allAnswered). */
const answerWatchers = new Map<string, Set<() => void>>();
function onAnswer(deviceId: string, command: CommandEnvelope, answer: CommandAnswer, at: number) {
  if (
    (command.type === 'device.lock' || command.type === 'device.unlock') &&
    answer.status === 'acknowledged'
  ) {
    lockAnswers.set(deviceId, { type: command.type, at });
    answerWatchers.get(deviceId)?.forEach((watcher) => watcher());
  }
}

/**
 * Waits until every device answered `type` after `since`; returns the last answer's time (ms
 * since the epoch, taken where the device answered). Woken by the answers themselves, not by
 * polling: a hundred classes polling every millisecond took a share of the core that this
 * process's 3,000 simulated tablets answer on. Rejects after 60 s.
 */
function allAnswered(deviceIds: readonly string[], type: string, since: number): Promise<number> {
  const answered = (deviceId: string) => {
    const answer = lockAnswers.get(deviceId);
    return answer !== undefined && answer.type === type && answer.at >= since;
  };
  return new Promise<number>((resolve, reject) => {
    const waiting = new Set(deviceIds.filter((deviceId) => !answered(deviceId)));
    const watchers = new Map<string, () => void>();
    const finish = () => {
      clearTimeout(timer);
      watchers.forEach((watcher, deviceId) => answerWatchers.get(deviceId)?.delete(watcher));
      resolve(Math.max(...deviceIds.map((deviceId) => lockAnswers.get(deviceId)?.at ?? 0)));
    };
    const timer = setTimeout(() => {
      watchers.forEach((watcher, deviceId) => answerWatchers.get(deviceId)?.delete(watcher));
      reject(
        new Error(
          `timed out after 60000 ms waiting for ${deviceIds.length} devices to answer ${type}`,
        ),
      );
    }, 60_000);
    if (waiting.size === 0) {
      finish();
      return;
    }
    for (const deviceId of waiting) {
      const watcher = () => {
        if (answered(deviceId)) {
          waiting.delete(deviceId);
          if (waiting.size === 0) {
            finish();
          }
        }
      };
      watchers.set(deviceId, watcher);
      let set = answerWatchers.get(deviceId);
      if (!set) {
        set = new Set();
        answerWatchers.set(deviceId, set);
      }
      set.add(watcher);
    }
  });
}

const summary = (values: number[]) =>
  `p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms, max ${Math.max(...values)} ms`;

runBench(async (cleanup) => {
  const background = numberArg('background', 10_000);
  const fleet = Math.min(numberArg('fleet', 5000), background);
  const classCount = numberArg('classes', 100);
  const rounds = numberArg('rounds', 100);
  const policyRounds = numberArg('policy-rounds', 10);
  const database = await benchDatabase('classroom');
  const dir = database.dir;
  const hub = new HubProcess(dir, numberArg('port', 18185), database.env);
  console.log(
    `bench:classroom — ${classCount} classes of ${CLASS_SIZE} in this process, ${background} other devices in simulator processes (a policy fleet of ${fleet} among them), ${rounds} single-class rounds, ${policyRounds} rounds during a policy change; on ${database.label}`,
  );
  cleanup.add('stop the hub', () => hub.stop());
  await hub.start();
  const api = new StaffApi(hub.url);
  await api.login();
  const me = await api.call<{ id: string }>('GET', '/api/auth/me');

  // The other devices: the policy fleet in its group, the rest without.
  const fleetGroup = await api.group('bench-classroom-fleet');
  const simulators: ChildProcess[] = [];
  const spawnSimulators = async (count: number, groupIds: string[], name: string) => {
    const perProcess = 5000;
    for (let i = 0; i * perProcess < count; i += 1) {
      const devices = Math.min(perProcess, count - i * perProcess);
      const child = startSimulator(
        hub.url,
        await api.enrollmentToken(groupIds, devices),
        devices,
        `${name}${i + 1}`,
        dir,
      );
      cleanup.add(`stop simulator ${name}${i + 1}`, () => stopChild(child, 'SIGTERM'));
      simulators.push(child);
    }
  };
  await spawnSimulators(fleet, [fleetGroup], 'fleet');
  await spawnSimulators(background - fleet, [], 'other');

  // The classes, here: one group and one class each.
  const classes: BenchClass[] = [];
  const handles: SimulatorHandle[] = [];
  for (let c = 0; c < classCount; c += 1) {
    const groupId = await api.group(`bench-class-${c + 1}`);
    const handle = await runSimulator({
      hubUrl: hub.url,
      token: await api.enrollmentToken([groupId], CLASS_SIZE),
      devices: CLASS_SIZE,
      group: `class${c + 1}`,
      stateFile: path.join(dir, `class${c + 1}.json`),
      concurrency: 8,
      enforcer: { historyLimit: 5 },
      clientOptions: { reconnectionDelay: 1000, reconnectionDelayMax: 5000 },
      onAnswer,
    });
    cleanup.add(`disconnect class ${c + 1}`, () => handle.stop());
    handles.push(handle);
    const existing = (await api.call<{ id: string; name: string }[]>('GET', '/api/classes')).find(
      (k) => k.name === `Bench class ${c + 1}`,
    );
    const id =
      existing?.id ??
      (
        await api.call<{ id: string }>('POST', '/api/classes', {
          name: `Bench class ${c + 1}`,
          teacherIds: [me.id],
          groupId,
        })
      ).id;
    classes.push({ id, groupId, deviceIds: handle.devices.map((d) => d.deviceId) });
  }
  const total = background + classCount * CLASS_SIZE;
  await waitUntil(
    'every device connected',
    async () => (await api.metrics()).connectedDevices >= total,
    90 * 60_000,
    1000,
  );
  const open = async () => {
    const m = await api.metrics();
    return (m.commands.pending ?? 0) + (m.commands.sent ?? 0);
  };
  await waitUntil(
    'the first policies applied',
    async () => (await open()) === 0,
    10 * 60_000,
    1000,
  );
  console.log(`${total} devices connected; the first policies applied`);

  // A session per class (a stale one from an earlier run is ended first).
  for (const k of classes) {
    await api.call('DELETE', `/api/classes/${k.id}/session`).catch(() => undefined);
    await api.call('POST', `/api/classes/${k.id}/session`, {
      endsAt: new Date(Date.now() + 6 * 3_600_000).toISOString(),
    });
  }
  const lockOrUnlock = async (k: BenchClass, round: number) => {
    const action = round % 2 === 0 ? 'lock' : 'unlock';
    const started = Date.now();
    const accepted = await api.call<ClassActionAccepted>(
      'POST',
      `/api/classes/${k.id}/session/actions`,
      { action },
    );
    if (accepted.deviceIds.length !== CLASS_SIZE) {
      throw new Error(`expected ${CLASS_SIZE} devices, got ${accepted.deviceIds.length}`);
    }
    const done = await allAnswered(
      k.deviceIds,
      action === 'lock' ? 'device.lock' : 'device.unlock',
      started,
    );
    return { started, done, locked: action === 'lock' };
  };

  // 1. One class, watched on /staff.
  const login = await api.call<{ accessToken: string }>('POST', '/api/auth/login', {
    username: 'admin',
    password: 'Bench-Admin1!',
  });
  const watcher: Socket = io(`${hub.url}/staff`, {
    auth: { token: login.accessToken },
    transports: ['websocket'],
  });
  cleanup.add('close the watcher', () => {
    watcher.close();
    return Promise.resolve();
  });
  await new Promise<void>((resolve, reject) => {
    watcher.once('connect', () => resolve());
    watcher.once('connect_error', reject);
  });
  const watched = classes[0];
  // Each device's latest tile, and when a tile first showed it done (`locked` as wanted, nothing
  // pending) since the round's request: later tiles of the same device (its battery, its last
  // seen time) do not move the figure.
  const tileSeen = new Map<string, { locked: boolean | null; pending: boolean; at: number }>();
  const shownDoneAt = new Map<string, number>();
  let wanted: { locked: boolean } | null = null;
  watcher.on('class.tile', ({ tile }: ClassTileEvent) => {
    const at = Date.now();
    tileSeen.set(tile.deviceId, { locked: tile.locked, pending: tile.pending, at });
    if (
      wanted &&
      tile.locked === wanted.locked &&
      !tile.pending &&
      !shownDoneAt.has(tile.deviceId)
    ) {
      shownDoneAt.set(tile.deviceId, at);
    }
  });
  const ack = (await watcher.emitWithAck('class.watch', { classId: watched.id })) as ClassWatchAck;
  if (!ack.ok) {
    throw new Error(`class.watch: ${ack.error}`);
  }
  await api.call('POST', '/api/metrics/event-loop/reset');
  const lockMs: number[] = [];
  const tileMs: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    shownDoneAt.clear();
    wanted = { locked: round % 2 === 0 };
    const { started, done, locked } = await lockOrUnlock(watched, round);
    if (locked !== wanted.locked) {
      throw new Error(`round ${round}: expected a ${wanted.locked ? 'lock' : 'unlock'}`);
    }
    lockMs.push(done - started);
    await waitUntil(
      'every tile shows it',
      () =>
        Promise.resolve(
          watched.deviceIds.every((id) => {
            const seen = tileSeen.get(id);
            return (
              seen !== undefined && seen.locked === locked && !seen.pending && seen.at >= started
            );
          }),
        ),
      30_000,
      1,
    );
    tileMs.push(
      Math.max(
        0,
        Math.max(...watched.deviceIds.map((id) => shownDoneAt.get(id) ?? Infinity)) - done,
      ),
    );
  }
  const loopSingle = (await api.metrics()).eventLoopDelayMs;
  console.log(
    `one class of ${CLASS_SIZE}, ${rounds} rounds: request to 30 of 30 acknowledged ${summary(lockMs)}`,
  );
  console.log(`  then to the last class.tile on the watching client: ${summary(tileMs)}`);
  console.log(`  event-loop delay: p99 ${loopSingle.p99} ms, max ${loopSingle.max} ms`);

  // 2. Every class at the same moment, a few rounds.
  const burstRounds = Math.max(2, Math.min(10, Math.floor(rounds / 10)));
  const burstMs: number[] = [];
  // Where the burst's time goes: CPU of the hub, of this process (the classes' 3,000 tablets and
  // the teachers' requests) and of the simulator processes, against the rounds' wall time.
  const cpu = { hub: 0, bench: 0, simulators: 0, wall: 0 };
  const simulatorsCpu = () => simulators.reduce((sum, child) => sum + cpuMsOf(child.pid), 0);
  for (let round = 0; round < burstRounds; round += 1) {
    const [hub0, bench0, simulators0, wall0] = [
      cpuMsOf(hub.pid),
      process.cpuUsage(),
      simulatorsCpu(),
      Date.now(),
    ];
    const results = await Promise.all(classes.map((k) => lockOrUnlock(k, round)));
    results.forEach(({ started, done }) => burstMs.push(done - started));
    const benchCpu = process.cpuUsage(bench0);
    cpu.hub += cpuMsOf(hub.pid) - hub0;
    cpu.bench += (benchCpu.user + benchCpu.system) / 1000;
    cpu.simulators += simulatorsCpu() - simulators0;
    cpu.wall += Date.now() - wall0;
    await sleep(500);
  }
  console.log(
    `${classCount} classes (${classCount * CLASS_SIZE} devices) at once, ${burstRounds} rounds: each class's 30 of 30 ${summary(burstMs)}`,
  );
  const perRound = (ms: number) => Math.round(ms / burstRounds);
  console.log(
    `  a round's CPU: hub ${perRound(cpu.hub)} ms, this process (the classes' tablets) ${perRound(cpu.bench)} ms, simulators ${perRound(cpu.simulators)} ms, in ${perRound(cpu.wall)} ms of wall time`,
  );

  // 3. A class lock while a policy change reaches the fleet.
  const policyName = 'Bench classroom fleet';
  const policy =
    (await api.call<{ id: string; name: string }[]>('GET', '/api/policies')).find(
      (p) => p.name === policyName,
    ) ??
    (await api.call<{ id: string }>('POST', '/api/policies', {
      name: policyName,
      settings: { screen: { autoLockMinutes: 5 } },
    }));
  const assigned = await api.call<{ assignments: { targetId: string | null }[] }>(
    'GET',
    `/api/policies/${policy.id}`,
  );
  if (!assigned.assignments.some((a) => a.targetId === fleetGroup)) {
    await api.call('POST', `/api/policies/${policy.id}/assignments`, {
      scope: 'group',
      targetId: fleetGroup,
    });
  }
  await waitUntil('the fleet policy applied', async () => (await open()) === 0, 10 * 60_000, 500);
  const duringMs: number[] = [];
  const fleetMs: number[] = [];
  for (let round = 0; round < policyRounds; round += 1) {
    const change = api.call('PATCH', `/api/policies/${policy.id}`, {
      settings: { screen: { autoLockMinutes: 5 + (round % 2) } },
    });
    const changeStarted = Date.now();
    // The lock lands while the change's fan-out is going out.
    await sleep(20);
    const { started, done } = await lockOrUnlock(watched, round);
    duringMs.push(done - started);
    await change;
    await waitUntil('the fan-out answered', async () => (await open()) === 0, 5 * 60_000, 200);
    fleetMs.push(Date.now() - changeStarted);
  }
  const loopPolicy = (await api.metrics()).eventLoopDelayMs;
  console.log(
    `class lock during a ${fleet}-device policy change, ${policyRounds} rounds: 30 of 30 ${summary(duringMs)}`,
  );
  console.log(
    `  the change to all answered (polled, not the 99% figure of bench:policy): ${summary(fleetMs)}; event-loop delay p99 ${loopPolicy.p99} ms, max ${loopPolicy.max} ms`,
  );
  writeFigures({
    background,
    classes: classCount,
    rounds,
    lockP50: percentile(lockMs, 50),
    lockP99: percentile(lockMs, 99),
    tileAfterAckP99: percentile(tileMs, 99),
    burstP99: percentile(burstMs, 99),
    duringPolicyP99: percentile(duringMs, 99),
  });
  void simulators;
});
