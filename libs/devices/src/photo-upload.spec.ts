// uploadPhoto against real loopback HTTP servers that fail the way a dying hub or a vanished
// network does (issue 14: an agent never hangs when its hub dies mid-upload): one that takes
// the request and never answers, one that cuts its answer off after the headers. Without the
// watched HTTP stack, tus-js-client waits for both forever.
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createDeviceKeyPair, type DeviceKeyPair } from './identity';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import {
  fetchPhotoReceipt,
  photoSha256,
  PhotoUploadError,
  uploadPhoto,
  type PhotoDevice,
} from './photo-upload';

/** The engine's own garbage collection, called on demand (as `node --expose-gc` gives it). */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('uploadPhoto when the hub stops answering', () => {
  let keys: DeviceKeyPair;
  let server: http.Server;
  const sockets = new Set<Socket>();
  let requests = 0;

  beforeAll(async () => {
    keys = await createDeviceKeyPair();
  });

  afterEach(async () => {
    for (const socket of sockets) {
      socket.destroy();
    }
    sockets.clear();
    server.close();
    await once(server, 'close');
  });

  const serve = async (handler: http.RequestListener): Promise<PhotoDevice> => {
    requests = 0;
    server = http.createServer((req, res) => {
      requests += 1;
      handler(req, res);
    });
    server.on('connection', (socket) => sockets.add(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return {
      hubUrl: `http://127.0.0.1:${port}`,
      deviceId: '7f0c1b8e-3a52-4f5e-9d7a-1c2b3d4e5f60',
      privateKeyPem: keys.privateKeyPem,
    };
  };

  const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64 * 1024, 7)]);
  const send = (device: PhotoDevice, extra: { retryDelays: number[]; idleTimeoutMs?: number }) =>
    uploadPhoto(device, {
      bytes,
      sha256: photoSha256(bytes),
      contentType: 'image/jpeg',
      takenAt: '2026-06-12T13:22:33Z',
      ...extra,
    });

  it('gives up on a hub that takes the request and says nothing, after retrying it', async () => {
    const device = await serve(() => undefined); // a frozen hub: the request is read, never answered
    const started = Date.now();
    const error = await send(device, { retryDelays: [0], idleTimeoutMs: 400 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PhotoUploadError);
    expect((error as PhotoUploadError).status).toBe(0);
    expect((error as Error).message).toMatch(/sent nothing for/);
    expect(requests).toBe(2); // the first try and its one retry
    expect(Date.now() - started).toBeLessThan(5000);
  }, 15_000);

  it('fails, not waits, when the answer is cut off after its headers', async () => {
    const device = await serve((_req, res) => {
      res.writeHead(201, {
        'Tus-Resumable': '1.0.0',
        Location: '/api/photos/uploads/abc',
        'Content-Length': '100',
      });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const error = await send(device, { retryDelays: [], idleTimeoutMs: 60_000 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PhotoUploadError);
    expect((error as PhotoUploadError).status).toBe(0);
    expect((error as Error).message).toMatch(/closed before its answer ended/);
  }, 15_000);

  it('still completes against a hub that answers (the watch leaves good answers alone)', async () => {
    const device = await serve((req, res) => {
      req.resume();
      if (req.method === 'POST') {
        res.writeHead(201, { 'Tus-Resumable': '1.0.0', Location: '/api/photos/uploads/abc' });
        res.end();
        return;
      }
      req.on('end', () => {
        res.writeHead(204, { 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(bytes.length) });
        res.end();
      });
    });
    const url = await send(device, { retryDelays: [], idleTimeoutMs: 2000 });
    expect(url).toBe(`${device.hubUrl}/api/photos/uploads/abc`);
  }, 15_000);

  it('gives up on a receipt the frozen hub never answers, also while memory is collected', async () => {
    // Node 20's AbortSignal.any() could be collected while fetch() waited on it, and then the
    // receipt request waited for ever (nodejs/node#55428); the agent's pass never ended.
    const device = await serve(() => undefined);
    const gc = collector();
    const pressure = setInterval(() => {
      gc();
      Array.from({ length: 100_000 }, (_, i) => ({ i }));
    }, 20);
    const outer = new AbortController();
    const started = Date.now();
    try {
      const outcome = await Promise.race([
        fetchPhotoReceipt(device, 'a'.repeat(64), outer.signal, 400).catch(
          (caught: unknown) => caught,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
      ]);
      expect(outcome).toBeInstanceOf(PhotoUploadError);
      expect((outcome as PhotoUploadError).status).toBe(0);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      clearInterval(pressure);
    }
  }, 15_000);
});
