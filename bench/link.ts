// npm run bench:link — the live command link under load. A real hub process and a simulator
// process hold N devices (default 10,000); this process holds a class of 30 more and measures:
// how many devices one hub holds (RSS, event-loop delay), staff request to all 30
// acknowledgements for a class lock (100 rounds), and a reconnect storm after a hub restart.
// `--db postgres` (or HUB_BENCH_DB=postgres) runs the hub on PostgreSQL (support.ts).
import { CommandAnswer, CommandEnvelope } from '@app/devices';
import { runSimulator } from '../apps/device-agent/src/simulate';
import {
  benchDatabase,
  HubProcess,
  numberArg,
  percentile,
  rssOf,
  runBench,
  sleep,
  StaffApi,
  startSimulator,
  stopChild,
  waitUntil,
  writeFigures,
} from './support';

const CLASS_SIZE = 30;

runBench(async (cleanup) => {
  const total = numberArg('devices', 10_000);
  const rounds = numberArg('rounds', 100);
  const background = total - CLASS_SIZE;
  const database = await benchDatabase('link');
  const dir = database.dir;
  const hub = new HubProcess(dir, numberArg('port', 18181), database.env);
  console.log(
    `bench:link — ${total} devices (${background} in a simulator process, ${CLASS_SIZE} here), ${rounds} rounds, on ${database.label}`,
  );
  cleanup.add('stop the hub', () => hub.stop());
  await hub.start();
  const api = new StaffApi(hub.url);
  await api.login();
  const everyone = await api.group('bench-everyone');
  const classGroup = await api.group('bench-class');

  const enrolStarted = Date.now();
  const simulator = startSimulator(
    hub.url,
    await api.enrollmentToken([everyone], background),
    background,
    'background',
    dir,
  );
  cleanup.add('stop the simulator process', () => stopChild(simulator, 'SIGTERM'));
  const answered = new Map<string, number>();
  const classDevices = await runSimulator({
    hubUrl: hub.url,
    token: await api.enrollmentToken([everyone, classGroup], CLASS_SIZE),
    devices: CLASS_SIZE,
    group: 'class',
    stateFile: `${dir}/class.json`,
    clientOptions: { reconnectionDelay: 1000, reconnectionDelayMax: 5000 },
    onAnswer: (
      _deviceId: string,
      command: CommandEnvelope,
      _answer: CommandAnswer,
      atMs: number,
    ) => {
      answered.set(command.id, atMs);
    },
  });
  cleanup.add('disconnect the class', () => classDevices.stop());
  const figures: Record<string, number | string> = { database: database.label, devices: total };
  try {
    const connectMs = await waitUntil(
      'every device connected',
      async () => (await api.metrics()).connectedDevices >= total,
      30 * 60_000,
      1000,
    );
    console.log(
      `enrolled (new or reused) and connected ${total} devices in ${((Date.now() - enrolStarted) / 1000).toFixed(1)} s (connected ${(connectMs / 1000).toFixed(1)} s after the class)`,
    );
    await sleep(3000); // let the baseline policy applies settle
    await api.call('POST', '/api/metrics/event-loop/reset');
    await sleep(5000);
    const idle = await api.metrics();
    Object.assign(figures, {
      heldDevices: idle.connectedDevices,
      rssMb: idle.rssMb,
      kbPerDevice: Number(((idle.rssMb * 1024) / idle.connectedDevices).toFixed(1)),
      idleLoopP99: idle.eventLoopDelayMs.p99,
    });
    console.log(
      `held: ${idle.connectedDevices} connected; hub RSS ${idle.rssMb} MB (${((idle.rssMb * 1024) / idle.connectedDevices).toFixed(1)} KB a device), heap ${idle.heapUsedMb} MB; event-loop delay idle p50 ${idle.eventLoopDelayMs.p50} ms, p99 ${idle.eventLoopDelayMs.p99} ms`,
    );

    // A teacher locks and unlocks the class, round after round.
    await api.call('POST', '/api/metrics/event-loop/reset');
    const latencies: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const body =
        round % 2 === 0
          ? { type: 'device.lock', payload: { reason: 'class', message: 'Eyes on the board' } }
          : { type: 'device.unlock', payload: {} };
      const started = Date.now();
      const issued = await api.call<{ commands: { id: string }[] }>(
        'POST',
        `/api/groups/${classGroup}/commands`,
        body,
      );
      if (issued.commands.length !== CLASS_SIZE) {
        throw new Error(`expected ${CLASS_SIZE} commands, got ${issued.commands.length}`);
      }
      await waitUntil(
        '30 acknowledgements',
        async () => issued.commands.every((c) => answered.has(c.id)),
        30_000,
        1,
      );
      latencies.push(
        Math.max(...issued.commands.map((c) => answered.get(c.id) as number)) - started,
      );
    }
    const during = await api.metrics();
    Object.assign(figures, {
      lockP50: percentile(latencies, 50),
      lockP99: percentile(latencies, 99),
      lockMax: Math.max(...latencies),
    });
    console.log(
      `class lock (${CLASS_SIZE} devices, ${rounds} rounds, ${total} connected): request to all acknowledgements p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${Math.max(...latencies)} ms; hub event-loop delay p99 ${during.eventLoopDelayMs.p99} ms`,
    );

    if (numberArg('storm', 1) === 0) {
      return;
    }
    // Reconnect storm: the hub dies and comes back; every device reconnects at once, and a
    // message to every device is queued the moment the hub is back.
    await hub.kill();
    const restarted = Date.now();
    const bootMs = await hub.start();
    await api.login();
    // Commands already waiting (for devices enrolled in an earlier, larger run and not connected
    // now) stay waiting; the storm is done when only those and the offline members' share remain.
    const open = (m: { commands: Record<string, number> }) =>
      (m.commands.pending ?? 0) + (m.commands.sent ?? 0) + (m.commands.not_now ?? 0);
    const openBefore = open(await api.metrics());
    const storm = await api.call<{ count: number }>('POST', `/api/groups/${everyone}/commands`, {
      type: 'message.show',
      payload: { text: 'The hub is back' },
    });
    const stillOffline = storm.count - total;
    const allBack = await waitUntil(
      'all reconnected',
      async () => (await api.metrics()).connectedDevices >= total,
      10 * 60_000,
      200,
    );
    const delivered = await waitUntil(
      'all pending delivered',
      async () => open(await api.metrics()) <= openBefore + stillOffline,
      10 * 60_000,
      200,
    );
    const after = await api.metrics();
    Object.assign(figures, {
      stormBackS: Number(((Date.now() - restarted - delivered) / 1000).toFixed(1)),
      stormDeliveredS: Number(((Date.now() - restarted) / 1000).toFixed(1)),
    });
    console.log(
      `reconnect storm: hub up in ${bootMs} ms; all ${total} back ${((Date.now() - restarted - delivered) / 1000).toFixed(1)} s after the restart (${(allBack / 1000).toFixed(1)} s after it listened); ${total} queued commands for the connected devices all delivered ${((Date.now() - restarted) / 1000).toFixed(1)} s after the restart; hub RSS ${after.rssMb} MB (pid RSS ${rssOf(hub.pid)} MB), event-loop delay p99 ${after.eventLoopDelayMs.p99} ms`,
    );
  } finally {
    writeFigures(figures);
  }
});
