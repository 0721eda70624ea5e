// npm run bench:cluster — two hub processes as one cluster (issue 10): one PostgreSQL database
// (a fresh bench_cluster_<pid>, dropped at the end) and the machine's Redis (a prefix of this
// run's own), 25,000 devices split half and half between the hubs. Prints:
// - the devices each hub holds, with its RSS and event-loop delay;
// - a class lock of 30 devices on hub B issued through hub A's API, request to all 30
//   acknowledgements (p50/p99 over --rounds), beside the same for 30 devices on hub A;
// - a policy change to 5,000 devices, half on each hub, made through hub A: time until 99% and
//   all acknowledged, and until compliance shows them applied (as bench:policy times it).
//
// Each process may hold 20,000 open files on this machine, so the background devices live in
// several simulator processes (--simulators, 4 by default), each on hub A or hub B. The two
// classes and the policy fleet live in this process, so their answers are timed where made.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildProcess } from 'node:child_process';
import { CommandAnswer, CommandEnvelope } from '@app/devices';
import { runSimulator, SimulatorHandle } from '../apps/device-agent/src/simulate';
import { PolicyAcks, PolicyChangeFigures, summarise, timePolicyChange } from './policy-change';
import {
  BENCH_POSTGRES,
  BENCH_REDIS,
  createFreshDatabase,
  dataDir,
  dropDatabase,
  HubProcess,
  numberArg,
  percentile,
  postgresUrl,
  rssOf,
  runBench,
  sleep,
  StaffApi,
  startSimulator,
  stopChild,
  stringArg,
  waitUntil,
} from './support';

const CLASS_SIZE = 30;

interface Hub {
  name: 'A' | 'B';
  process: HubProcess;
  api: StaffApi;
}

runBench(async (cleanup) => {
  const total = numberArg('devices', 25_000);
  const rounds = numberArg('rounds', 100);
  const policyRounds = numberArg('policy-rounds', 3);
  const simulatorCount = Math.max(2, Math.round(numberArg('simulators', 4)));
  const basePort = numberArg('port', 18183);
  const server = stringArg('pg', BENCH_POSTGRES);
  const redisUrl = stringArg('redis', BENCH_REDIS);
  if (total < 2 * CLASS_SIZE + 4) {
    throw new Error(`--devices must be at least ${2 * CLASS_SIZE + 4}`);
  }
  // The policy fleet never takes more than half of what the classes leave, so the simulator
  // processes always hold some devices too.
  const fleet = Math.min(
    numberArg('policy-devices', 5000),
    Math.floor((total - 2 * CLASS_SIZE) / 2),
  );
  const background = total - 2 * CLASS_SIZE - fleet;
  const fleetOn = { A: Math.ceil(fleet / 2), B: Math.floor(fleet / 2) };

  // --reuse NAME: the database and data directory a run with --keep left (enrolling 25,000
  // devices takes a while); otherwise a fresh database, dropped at the end unless --keep.
  const reuse = stringArg('reuse');
  if (reuse !== undefined && !/^bench_cluster_\d+$/.test(reuse)) {
    throw new Error(
      `--reuse takes a name a --keep run printed (bench_cluster_<pid>), got '${reuse}'`,
    );
  }
  const keep = reuse !== undefined || process.argv.includes('--keep');
  const database = reuse ?? `bench_cluster_${process.pid}`;
  const redisPrefix = `bench_cluster_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  if (reuse !== undefined && !fs.existsSync(path.join(dataDir(database), 'hub-a', 'ca'))) {
    throw new Error(`--reuse ${reuse}: bench/.data/${reuse} holds no hub data`);
  }
  const runDir = dataDir(database);
  const simDir = path.join(runDir, 'simulators');
  fs.mkdirSync(simDir, { recursive: true });
  let finished = false;
  cleanup.add('remove the data directory', async () => {
    if (keep) {
      console.log(
        `kept the database ${database} and bench/.data/${database}: run again with --reuse ${database}; remove them with: psql ${server} -c 'DROP DATABASE ${database}' && rm -r bench/.data/${database}`,
      );
    } else if (finished) {
      fs.rmSync(runDir, { recursive: true, force: true });
    } else {
      console.error(`the hubs' and simulators' logs are kept in ${runDir}`);
    }
  });

  console.log(
    `bench:cluster — ${total} devices on two hubs (${background} in ${simulatorCount} simulator processes; ${2 * CLASS_SIZE} in two classes and a policy fleet of ${fleet} in this process), ${rounds} lock rounds, ${policyRounds} policy changes; PostgreSQL database ${database}, Redis prefix ${redisPrefix}`,
  );
  if (reuse === undefined) {
    await createFreshDatabase(server, database);
  }
  if (!keep) {
    cleanup.add(`drop the database ${database}`, () => dropDatabase(server, database));
  }
  const env = {
    HUB_DB: postgresUrl(server, database),
    HUB_REDIS: redisUrl,
    HUB_REDIS_PREFIX: redisPrefix,
    // One store for the school, as docs/deploy.md asks of every hub of a cluster.
    HUB_STORE_DIR: path.join(runDir, 'store'),
  };

  // Hub A first: it runs the migrations and makes the CA, which hub B gets a copy of.
  const hubs: Hub[] = [];
  for (const name of ['A', 'B'] as const) {
    const dir = path.join(runDir, `hub-${name.toLowerCase()}`);
    fs.mkdirSync(dir, { recursive: true });
    if (name === 'B' && !fs.existsSync(path.join(dir, 'ca'))) {
      fs.cpSync(path.join(hubs[0].process.dir, 'ca'), path.join(dir, 'ca'), { recursive: true });
    }
    const hub = new HubProcess(dir, basePort + hubs.length, env);
    cleanup.add(`stop hub ${name}`, () => hub.stop());
    const bootMs = await hub.start();
    const api = new StaffApi(hub.url);
    await api.login();
    hubs.push({ name, process: hub, api });
    console.log(`hub ${name} (pid ${hub.pid}) up in ${bootMs} ms at ${hub.url}`);
  }
  const [a, b] = hubs;
  const classGroup = {
    A: await a.api.group('bench-class-a'),
    B: await a.api.group('bench-class-b'),
  };
  const fleetGroup = await a.api.group('bench-policy-fleet');

  // Enrolment through both hubs at once: every simulator process and this process's devices.
  const enrolStarted = Date.now();
  const simulators: { child: ChildProcess; hub: Hub; devices: number; log: string }[] = [];
  for (let i = 0; i < simulatorCount; i += 1) {
    const hub = hubs[i % 2];
    // Half the background on each hub, shared out among that hub's simulator processes.
    const onHub = hub.name === 'A' ? Math.ceil(background / 2) : Math.floor(background / 2);
    const processesOnHub = Math.ceil((simulatorCount - (hub.name === 'A' ? 0 : 1)) / 2);
    const order = Math.floor(i / 2);
    const devices = Math.floor(onHub / processesOnHub) + (order < onHub % processesOnHub ? 1 : 0);
    if (devices === 0) {
      continue;
    }
    const group = `bg${i + 1}`;
    const child = startSimulator(
      hub.process.url,
      await a.api.enrollmentToken([], devices),
      devices,
      group,
      simDir,
    );
    cleanup.add(`stop simulator ${group}`, () => stopChild(child, 'SIGTERM'));
    simulators.push({ child, hub, devices, log: path.join(simDir, `${group}.log`) });
  }
  console.log(
    `simulator processes: ${simulators.map((s) => `${s.devices} on ${s.hub.name} (pid ${s.child.pid})`).join(', ')}`,
  );

  /** When each command was answered (ms since the epoch), by command id. */
  const answered = new Map<string, number>();
  const onClassAnswer = (
    _deviceId: string,
    command: CommandEnvelope,
    _answer: CommandAnswer,
    atMs: number,
  ) => {
    answered.set(command.id, atMs);
  };
  const acks = new PolicyAcks();
  const here = async (
    hub: Hub,
    group: string,
    devices: number,
    groupIds: string[],
    onAnswer: typeof onClassAnswer,
  ): Promise<SimulatorHandle> => {
    const handle = await runSimulator({
      hubUrl: hub.process.url,
      token: await a.api.enrollmentToken(groupIds, devices),
      devices,
      group,
      stateFile: path.join(simDir, `${group}.json`),
      concurrency: devices > 100 ? 32 : 8,
      enforcer: { historyLimit: 5 },
      clientOptions: { reconnectionDelay: 1000, reconnectionDelayMax: 5000 },
      onAnswer,
    });
    cleanup.add(`disconnect ${group}`, () => handle.stop());
    return handle;
  };
  const progress = setInterval(() => {
    void Promise.all(hubs.map((hub) => hub.api.metrics())).then(
      (m) =>
        console.log(
          `  ${((Date.now() - enrolStarted) / 1000).toFixed(0)} s: connected A ${m[0].connectedDevices}, B ${m[1].connectedDevices}`,
        ),
      () => undefined,
    );
  }, 30_000);
  const [, , fleetA] = await Promise.all([
    here(a, 'class-a', CLASS_SIZE, [classGroup.A], onClassAnswer),
    here(b, 'class-b', CLASS_SIZE, [classGroup.B], onClassAnswer),
    here(a, 'fleet-a', fleetOn.A, [fleetGroup], acks.onAnswer),
    here(b, 'fleet-b', fleetOn.B, [fleetGroup], acks.onAnswer),
  ]);
  const connected = async () => {
    const gone = simulators.find((s) => s.child.exitCode !== null || s.child.signalCode !== null);
    if (gone) {
      throw new Error(`a simulator process on hub ${gone.hub.name} exited; see ${gone.log}`);
    }
    const m = await Promise.all(hubs.map((hub) => hub.api.metrics()));
    return m[0].connectedDevices + m[1].connectedDevices;
  };
  try {
    await waitUntil(
      'every device connected',
      async () => (await connected()) >= total,
      90 * 60_000,
      1000,
    );
  } finally {
    clearInterval(progress);
  }
  console.log(
    `enrolled and connected ${total} devices through both hubs in ${((Date.now() - enrolStarted) / 1000).toFixed(1)} s`,
  );

  // Let the first policy applies settle, then measure the idle hubs.
  const open = (m: { commands: Record<string, number> }) =>
    (m.commands.pending ?? 0) + (m.commands.sent ?? 0);
  try {
    await waitUntil(
      'the first policy applies answered',
      async () => open(await a.api.metrics()) === 0,
      5 * 60_000,
      1000,
    );
  } catch {
    console.log(`  (${open(await a.api.metrics())} commands still open after 5 minutes; going on)`);
  }
  await Promise.all(hubs.map((hub) => hub.api.call('POST', '/api/metrics/event-loop/reset')));
  await sleep(5000);
  for (const hub of hubs) {
    const m = await hub.api.metrics();
    console.log(
      `held on hub ${hub.name}: ${m.connectedDevices} connected; RSS ${m.rssMb} MB (pid RSS ${rssOf(hub.process.pid)} MB, ${((m.rssMb * 1024) / Math.max(1, m.connectedDevices)).toFixed(1)} KB a device), heap ${m.heapUsedMb} MB; event-loop delay idle p50 ${m.eventLoopDelayMs.p50} ms, p99 ${m.eventLoopDelayMs.p99} ms`,
    );
  }

  // Class locks, every request through hub A: to the class on hub B and to the class on hub A,
  // taking turns (which goes first alternates), so both see the same load.
  await Promise.all(hubs.map((hub) => hub.api.call('POST', '/api/metrics/event-loop/reset')));
  const latencies = { A: [] as number[], B: [] as number[] };
  const lockClass = async (on: 'A' | 'B', round: number) => {
    const body =
      round % 2 === 0
        ? { type: 'device.lock', payload: { reason: 'class', message: 'Eyes on the board' } }
        : { type: 'device.unlock', payload: {} };
    const started = Date.now();
    const issued = await a.api.call<{ commands: { id: string }[] }>(
      'POST',
      `/api/groups/${classGroup[on]}/commands`,
      body,
    );
    if (issued.commands.length !== CLASS_SIZE) {
      throw new Error(`expected ${CLASS_SIZE} commands, got ${issued.commands.length}`);
    }
    await waitUntil(
      `30 acknowledgements from hub ${on}`,
      async () => issued.commands.every((c) => answered.has(c.id)),
      30_000,
      1,
    );
    latencies[on].push(
      Math.max(...issued.commands.map((c) => answered.get(c.id) as number)) - started,
    );
  };
  for (let round = 0; round < rounds; round += 1) {
    for (const on of round % 2 === 0 ? (['B', 'A'] as const) : (['A', 'B'] as const)) {
      await lockClass(on, round);
    }
  }
  const loops = await Promise.all(hubs.map((hub) => hub.api.metrics()));
  const line = (on: 'A' | 'B', what: string) =>
    `class lock (${CLASS_SIZE} devices ${what}, request on hub A, ${rounds} rounds): request to all acknowledgements p50 ${percentile(latencies[on], 50)} ms, p99 ${percentile(latencies[on], 99)} ms, max ${Math.max(...latencies[on])} ms`;
  console.log(line('B', 'on hub B, the other hub'));
  console.log(line('A', 'on hub A, the same hub'));
  console.log(
    `  event-loop delay during the locks: hub A p99 ${loops[0].eventLoopDelayMs.p99} ms, hub B p99 ${loops[1].eventLoopDelayMs.p99} ms`,
  );

  // A policy for the fleet's group (half the fleet on each hub), changed through hub A.
  const policyName = 'Bench cluster fleet';
  const policy =
    (await a.api.call<{ id: string; name: string }[]>('GET', '/api/policies')).find(
      (p) => p.name === policyName,
    ) ??
    (await a.api.call<{ id: string }>('POST', '/api/policies', {
      name: policyName,
      settings: { screen: { autoLockMinutes: 5, requirePasscode: true } },
    }));
  const appliedCount = async () =>
    (
      await a.api.call<{ total: number }>(
        'GET',
        `/api/compliance/devices?status=applied&policyId=${policy.id}&pageSize=1`,
      )
    ).total;
  if (reuse === undefined) {
    await a.api.call('POST', `/api/policies/${policy.id}/assignments`, {
      scope: 'group',
      targetId: fleetGroup,
    });
  }
  try {
    await waitUntil(
      'the fleet policy applied on every fleet device',
      async () => (await appliedCount()) >= fleet,
      5 * 60_000,
      1000,
    );
  } catch {
    console.log(
      `  COMPLIANCE NEVER CAUGHT UP with the fleet policy's assignment: ${await appliedCount()} of ${fleet} applied after 5 minutes (see the hub logs); going on`,
    );
  }
  const change = (label: string) =>
    timePolicyChange({
      label,
      api: a.api,
      policyId: policy.id,
      devices: fleet,
      acks,
      sampleDeviceId: fleetA.devices[0].deviceId,
      appliedCount,
      compliancePollMs: 250,
      hubs: hubs.map((hub) => ({ name: `hub ${hub.name}`, api: hub.api, pid: hub.process.pid })),
    });
  console.log(
    `policy change to ${fleet} devices (${fleetOn.A} on hub A, ${fleetOn.B} on hub B), made through hub A:`,
  );
  await change('warm-up change (not counted)');
  const measured: PolicyChangeFigures[] = [];
  for (let round = 0; round < policyRounds; round += 1) {
    measured.push(await change(`round ${round + 1}`));
  }
  console.log(
    `over ${policyRounds} changes to ${fleet} devices on both hubs: 99% acknowledged ${summarise(measured, (f) => f.ack99).text}; all acknowledged ${summarise(measured, (f) => f.ackAll).text}; compliance all applied ${summarise(measured, (f) => f.complianceMs).text}`,
  );
  finished = true;
});
