// npm run bench:policy — a baseline change reaching 5,000 connected devices. A real hub process
// and 5,000 simulated devices in this process (each answer timed where the device makes it);
// prints the time until 99% and 100% have acknowledged the new policy and until the hub's
// compliance shows them applied, with the hub's event-loop delay and the CPU each side used.
// `--db postgres` (or HUB_BENCH_DB=postgres) runs the hub on PostgreSQL (support.ts).
import { runSimulator } from '../apps/device-agent/src/simulate';
import { PolicyAcks, PolicyChangeFigures, summarise, timePolicyChange } from './policy-change';
import {
  benchDatabase,
  HubProcess,
  numberArg,
  runBench,
  StaffApi,
  waitUntil,
  writeFigures,
} from './support';

/** Devices the hub counts as applied: the cheap count, not the full summary a person reads. */
async function appliedCount(api: StaffApi): Promise<number> {
  return (
    await api.call<{ total: number }>('GET', '/api/compliance/devices?status=applied&pageSize=1')
  ).total;
}

runBench(async (cleanup) => {
  const total = numberArg('devices', 5000);
  const rounds = numberArg('rounds', 3);
  const database = await benchDatabase('policy');
  const dir = database.dir;
  const hub = new HubProcess(dir, numberArg('port', 18182), database.env);
  console.log(`bench:policy — ${total} devices, ${rounds} baseline changes, on ${database.label}`);
  cleanup.add('stop the hub', () => hub.stop());
  await hub.start();
  const api = new StaffApi(hub.url);
  await api.login();
  const baseline = (await api.call<{ id: string; name: string }[]>('GET', '/api/policies')).find(
    (p) => p.name === 'School baseline',
  );
  if (!baseline) {
    throw new Error('no School baseline policy');
  }
  const acks = new PolicyAcks();
  const started = Date.now();
  const devices = await runSimulator({
    hubUrl: hub.url,
    token: await api.enrollmentToken([], total),
    devices: total,
    group: 'fleet',
    stateFile: `${dir}/fleet.json`,
    concurrency: 32,
    enforcer: { historyLimit: 5 },
    onAnswer: acks.onAnswer,
  });
  cleanup.add('disconnect the simulated devices', () => devices.stop());
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
  const change = (label: string) =>
    timePolicyChange({
      label,
      api,
      policyId: baseline.id,
      devices: total,
      acks,
      sampleDeviceId: devices.devices[0].deviceId,
      appliedCount: () => appliedCount(api),
      hubs: [{ name: 'hub', api, pid: hub.pid }],
    });

  // The simulator runs 5,000 devices' code in one process, so its first policy.apply runs
  // before V8 has optimised that path (real devices each run their own). One change warms it;
  // it is printed, and not counted.
  await change('warm-up change (not counted)');
  const measured: PolicyChangeFigures[] = [];
  for (let round = 0; round < rounds; round += 1) {
    measured.push(await change(`round ${round + 1}`));
  }
  const ack99 = summarise(measured, (f) => f.ack99);
  const ackAll = summarise(measured, (f) => f.ackAll);
  const compliance = summarise(measured, (f) => f.complianceMs);
  console.log(
    `over ${rounds} changes: 99% acknowledged ${ack99.text}; all acknowledged ${ackAll.text}; compliance all applied ${compliance.text}`,
  );
  writeFigures({
    database: database.label,
    devices: total,
    rounds,
    ack99Median: ack99.median,
    ack99Worst: ack99.worst,
    ackAllMedian: ackAll.median,
    ackAllWorst: ackAll.worst,
    complianceMedian: compliance.median,
    complianceWorst: compliance.worst,
  });
});
