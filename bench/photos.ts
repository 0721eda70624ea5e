// npm run bench:photos — photo sync under load (issue 14). A real hub process; a child process
// (photo-uploaders.ts) holds 20 simulated devices that upload 4 MB JPEGs in parallel over
// loopback (the agent's own upload library, asking for receipts as often as the agent), while
// this process holds a class of 30 simulated tablets that a teacher locks and unlocks. Prints:
//   - MB/s stored end to end: bytes of photos whose receipt came, over the time from the first
//     upload's start to the last receipt (targets: at least 80 MB/s);
//   - the hub's event-loop delay p99 during the ingest (GET /api/metrics; at most 50 ms);
//   - a class lock issued during the ingest, request to 30 of 30 acknowledged: p99 (150 ms), and
//     of that the hub's answer to the lock request alone;
//   - this process's own event-loop delay meanwhile (time a lock waits in the simulator, which
//     plays 30 tablets and 20 uploads on one loop, not in the hub);
//   - thumbnails per second (the hub makes them off the request path; counted in its data dir).
// Options: --devices 20 --photos 5 (per device) --mb 4 --port 18191; `--db postgres` (or
// HUB_BENCH_DB=postgres) runs the hub on PostgreSQL (support.ts).
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CommandAnswer, CommandEnvelope } from '@app/devices';
import { runSimulator } from '../apps/device-agent/src/simulate';
import type { SimulatedPhotoResult } from '../apps/device-agent/src/simulate-photos';
import {
  benchDatabase,
  cpuMsOf,
  HubProcess,
  numberArg,
  percentile,
  ROOT,
  runBench,
  sleep,
  StaffApi,
  stopChild,
  waitUntil,
  writeFigures,
} from './support';
import type { UploaderArgs, UploaderMessage } from './photo-uploaders';

const CLASS_SIZE = 30;

runBench(async (cleanup) => {
  const uploaders = numberArg('devices', 20);
  const perDevice = numberArg('photos', 5);
  const sizeBytes = Math.round(numberArg('mb', 4) * 1024 * 1024);
  if (uploaders < 1 || perDevice < 1) {
    throw new Error('--devices and --photos must be at least 1');
  }
  // Every run starts afresh (an empty store, no photo rows; the 400 MB of a run not kept): the
  // data directory goes, and with it, on PostgreSQL, the database (see benchDatabase).
  for (const name of ['photos', 'photos-postgres']) {
    fs.rmSync(path.join(ROOT, 'bench', '.data', name), { recursive: true, force: true });
  }
  const database = await benchDatabase('photos');
  const dir = database.dir;
  const hub = new HubProcess(dir, numberArg('port', 18191), {
    ...database.env,
    HUB_PHOTO_STORE_RETRY_MS: '1000',
  });
  const total = uploaders * perDevice;
  console.log(
    `bench:photos — ${uploaders} devices x ${perDevice} photos of ${(sizeBytes / 1048576).toFixed(1)} MB (${((total * sizeBytes) / 1048576).toFixed(0)} MB) over loopback, a class of ${CLASS_SIZE} locked meanwhile, on ${database.label}`,
  );
  // Run after the hub stops: the run's photos (hundreds of MB) are not kept; hub.log is.
  cleanup.add('remove the photos', async () => {
    for (const sub of ['store', 'photos']) {
      fs.rmSync(path.join(dir, sub), { recursive: true, force: true });
    }
  });
  cleanup.add('stop the hub', () => hub.stop());
  await hub.start();
  const api = new StaffApi(hub.url);
  await api.login();
  const classGroup = await api.group('bench-photo-class');
  const answered = new Map<string, number>();
  const devices = await runSimulator({
    hubUrl: hub.url,
    token: await api.enrollmentToken([classGroup], CLASS_SIZE),
    devices: CLASS_SIZE,
    group: 'photo-class',
    stateFile: `${dir}/photo-class.json`,
    onAnswer: (_id: string, command: CommandEnvelope, _answer: CommandAnswer, atMs: number) => {
      answered.set(command.id, atMs);
    },
  });
  cleanup.add('disconnect the class', () => devices.stop());
  await devices.waitForConnected(CLASS_SIZE, 60_000);

  // The uploading devices, in a process of their own.
  const uploaderArgs: UploaderArgs = {
    hubUrl: hub.url,
    token: await api.enrollmentToken([], uploaders),
    devices: uploaders,
    perDevice,
    sizeBytes,
    stateFile: `${dir}/photo-uploaders.json`,
  };
  const uploader = fork(
    path.join(__dirname, 'photo-uploaders.js'),
    [JSON.stringify(uploaderArgs)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  cleanup.add('stop the uploaders', () => stopChild(uploader, 'SIGTERM'));
  const fromUploader = (wanted: 'ready' | 'results') =>
    new Promise<UploaderMessage>((resolve, reject) => {
      const onMessage = (message: UploaderMessage) => {
        if ('error' in message) {
          reject(new Error(`the uploaders: ${message.error}`));
        } else if (wanted in message) {
          uploader.off('message', onMessage);
          resolve(message);
        }
      };
      uploader.on('message', onMessage);
      uploader.once('exit', (code) => reject(new Error(`the uploaders exited (${code})`)));
    });
  await fromUploader('ready');
  await sleep(2000); // the first policy applies settle

  const thumbnailsDir = path.join(dir, 'photos', 'thumbnails');
  const thumbnails = () =>
    fs.existsSync(thumbnailsDir)
      ? fs.readdirSync(thumbnailsDir).filter((f) => f.endsWith('.jpg')).length
      : 0;
  const thumbnailTimes: number[] = [];
  const figures: Record<string, number | string> = {
    database: database.label,
    devices: uploaders,
    photos: total,
    photoMb: sizeBytes / 1048576,
  };
  try {
    await api.call('POST', '/api/metrics/event-loop/reset');
    const cpuBefore = cpuMsOf(hub.pid);
    // This process plays the 30 tablets and the 20 uploads: its own loop delay is time a lock
    // waits here, not in the hub.
    const ownLoop = monitorEventLoopDelay({ resolution: 10 });
    ownLoop.enable();
    let ingesting = true;
    const ingestStarted = Date.now();
    const finished = fromUploader('results');
    uploader.send({ start: true });
    const ingest = finished
      .then((message) => (message as { results: SimulatedPhotoResult[] }).results)
      .finally(() => {
        ingesting = false;
      });

    // A teacher locks and unlocks the class while the photos arrive.
    const lockLatencies: number[] = [];
    const lockAnswered: number[] = [];
    const locking = (async () => {
      await sleep(500);
      for (let round = 0; ingesting; round += 1) {
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
        lockAnswered.push(Date.now() - started);
        if (issued.commands.length !== CLASS_SIZE) {
          throw new Error(`expected ${CLASS_SIZE} commands, got ${issued.commands.length}`);
        }
        await waitUntil(
          '30 acknowledgements',
          async () => issued.commands.every((c) => answered.has(c.id)),
          60_000,
          1,
        );
        lockLatencies.push(
          Math.max(...issued.commands.map((c) => answered.get(c.id) as number)) - started,
        );
        await sleep(250);
      }
    })();
    // Thumbnails, as they appear.
    const counting = (async () => {
      let seen = 0;
      while (seen < total && Date.now() - ingestStarted < 20 * 60_000) {
        const now = thumbnails();
        for (; seen < now; seen += 1) {
          thumbnailTimes.push(Date.now());
        }
        await sleep(50);
      }
    })();

    const results: SimulatedPhotoResult[] = await ingest;
    const ingestEnded = Date.now();
    const during = await api.metrics();
    const cpuMs = cpuMsOf(hub.pid) - cpuBefore;
    ownLoop.disable();
    await locking;
    await counting;

    const first = Math.min(...results.map((r) => r.startedAt));
    const last = Math.max(...results.map((r) => r.receiptAt as number));
    const mb = results.reduce((sum, r) => sum + r.sizeBytes, 0) / 1048576;
    const seconds = (last - first) / 1000;
    const perPhoto = results.map((r) => (r.receiptAt as number) - r.startedAt);
    const uploadOnly = results.map((r) => r.uploadedAt - r.startedAt);
    const receiptWait = results.map((r) => (r.receiptAt as number) - r.uploadedAt);
    const thumbSpan = (thumbnailTimes[thumbnailTimes.length - 1] - thumbnailTimes[0]) / 1000;
    Object.assign(figures, {
      mbPerS: Number((mb / seconds).toFixed(1)),
      ingestS: Number(seconds.toFixed(1)),
      photoP50Ms: percentile(perPhoto, 50),
      photoP99Ms: percentile(perPhoto, 99),
      loopP99: during.eventLoopDelayMs.p99,
      loopMax: during.eventLoopDelayMs.max,
      lockRounds: lockLatencies.length,
      lockP50: lockLatencies.length ? percentile(lockLatencies, 50) : 'none',
      lockP99: lockLatencies.length ? percentile(lockLatencies, 99) : 'none',
      thumbnailsPerS:
        thumbnailTimes.length > 1
          ? Number(((thumbnailTimes.length - 1) / thumbSpan).toFixed(1))
          : 'none',
      hubCpuS: Number((cpuMs / 1000).toFixed(1)),
    });
    console.log(
      `stored end to end: ${results.length} photos, ${mb.toFixed(0)} MB in ${seconds.toFixed(1)} s = ${(mb / seconds).toFixed(1)} MB/s (first upload start to last receipt); a photo start to receipt p50 ${percentile(perPhoto, 50)} ms, p99 ${percentile(perPhoto, 99)} ms (upload p50 ${percentile(uploadOnly, 50)} ms, then receipt p50 ${percentile(receiptWait, 50)} ms); hub CPU ${(cpuMs / 1000).toFixed(1)} s over ${((ingestEnded - ingestStarted) / 1000).toFixed(1)} s`,
    );
    console.log(
      `hub event-loop delay during the ingest: p50 ${during.eventLoopDelayMs.p50} ms, p99 ${during.eventLoopDelayMs.p99} ms, max ${during.eventLoopDelayMs.max} ms`,
    );
    console.log(
      lockLatencies.length
        ? `class lock during the ingest (${CLASS_SIZE} of ${CLASS_SIZE} acknowledged, ${lockLatencies.length} rounds): p50 ${percentile(lockLatencies, 50)} ms, p99 ${percentile(lockLatencies, 99)} ms, max ${Math.max(...lockLatencies)} ms; of which the hub's answer to the request p50 ${percentile(lockAnswered, 50)} ms, p99 ${percentile(lockAnswered, 99)} ms`
        : 'class lock during the ingest: no round finished (the ingest was too short)',
    );
    console.log(
      `the simulated devices' own event-loop delay meanwhile: p50 ${(ownLoop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(ownLoop.percentile(99) / 1e6).toFixed(1)} ms, max ${(ownLoop.max / 1e6).toFixed(1)} ms`,
    );
    console.log(
      thumbnailTimes.length > 1
        ? `thumbnails: ${thumbnailTimes.length} of ${total} made, ${figures.thumbnailsPerS} a second (first to last), the last ${((thumbnailTimes[thumbnailTimes.length - 1] - ingestEnded) / 1000).toFixed(1)} s after the last receipt`
        : `thumbnails: ${thumbnailTimes.length} of ${total} made`,
    );
  } finally {
    writeFigures(figures);
  }
});
