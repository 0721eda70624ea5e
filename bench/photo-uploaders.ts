// A child process of bench:photos: the devices that upload, on an event loop of their own, so
// that the time they spend making, hashing and sending 4 MB photos does not delay the class of
// 30 that the bench locks meanwhile (separate tablets would not delay each other). It talks to
// its parent over Node's IPC channel:
//   child → { ready: n } once its n devices are connected;
//   parent → { start: true };
//   child → { results: SimulatedPhotoResult[] } or { error: string }, then exits.
// Its one argument is a JSON UploaderArgs.
import { runSimulator } from '../apps/device-agent/src/simulate';
import type { SimulatedPhotoResult } from '../apps/device-agent/src/simulate-photos';

/** What bench:photos hands its uploader process. */
export interface UploaderArgs {
  hubUrl: string;
  token: string;
  devices: number;
  perDevice: number;
  sizeBytes: number;
  stateFile: string;
}

/** What the uploader process sends its parent. */
export type UploaderMessage =
  { ready: number } | { results: SimulatedPhotoResult[] } | { error: string };

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as UploaderArgs;
  const send = (message: UploaderMessage) => process.send?.(message);
  const handle = await runSimulator({
    hubUrl: args.hubUrl,
    token: args.token,
    devices: args.devices,
    group: 'photo-uploaders',
    stateFile: args.stateFile,
    describeDevice: (_serial, index) => ({
      platform: 'linux',
      model: 'Simulated trip camera',
      assetTag: `CAM-${String(index + 1).padStart(3, '0')}`,
    }),
    log: () => undefined,
  });
  try {
    await handle.waitForConnected(args.devices, 60_000);
    const started = new Promise<void>((resolve) => process.once('message', () => resolve()));
    send({ ready: args.devices });
    await started;
    send({
      results: await handle.uploadPhotos({
        devices: args.devices,
        perDevice: args.perDevice,
        sizeBytes: args.sizeBytes,
        receiptTimeoutMs: 10 * 60_000,
      }),
    });
  } catch (error) {
    send({ error: (error as Error).message });
  } finally {
    await handle.stop();
    process.disconnect?.();
  }
}

void main();
