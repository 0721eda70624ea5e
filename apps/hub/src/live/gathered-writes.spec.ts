import { createServer, Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, Socket } from 'socket.io';
import { io as connect, Socket as ClientSocket } from 'socket.io-client';
import { tcpSocketOf, writeGatheredPacketsTogether } from './gathered-writes';

/** Counts the system calls a TCP socket makes to send: `_write` (one buffer) and `_writev`. */
function countWrites(socket: Socket): { calls: number } {
  type Method = (...args: unknown[]) => unknown;
  const raw = tcpSocketOf(socket) as unknown as Record<'_write' | '_writev', Method>;
  const counted = { calls: 0 };
  for (const method of ['_write', '_writev'] as const) {
    const original = raw[method];
    raw[method] = function (this: unknown, ...args: unknown[]) {
      counted.calls += 1;
      return original.apply(this, args);
    };
  }
  return counted;
}

describe('writeGatheredPacketsTogether', () => {
  let http: HttpServer;
  let server: Server;
  let client: ClientSocket;
  let socket: Socket;

  beforeEach(async () => {
    http = createServer();
    server = new Server(http, { transports: ['websocket'] });
    const connected = new Promise<Socket>((resolve) => server.on('connection', resolve));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
    socket = await connected;
    await new Promise<void>((resolve) =>
      client.connected ? resolve() : client.once('connect', () => resolve()),
    );
  });

  afterEach(async () => {
    client.close();
    await new Promise<void>((resolve) => void server.close(() => resolve()));
  });

  /** Emits `count` events in one tick; resolves with what the client received, in order. */
  async function emitInOneTick(count: number): Promise<number[]> {
    const received: number[] = [];
    const all = new Promise<void>((resolve) =>
      client.on('tile', (n: number) => {
        received.push(n);
        if (received.length === count) {
          resolve();
        }
      }),
    );
    for (let n = 0; n < count; n += 1) {
      socket.emit('tile', n);
    }
    await all;
    client.off('tile');
    return received;
  }

  it('sends the packets gathered behind a write in flight in one write, in order', async () => {
    const writes = countWrites(socket);
    // As Socket.IO sends them: the first packet, then each gathered one its own write.
    expect(await emitInOneTick(50)).toEqual([...Array(50).keys()]);
    expect(writes.calls).toBe(50);

    expect(writeGatheredPacketsTogether(socket)).toBe(true);
    writes.calls = 0;
    expect(await emitInOneTick(50)).toEqual([...Array(50).keys()]);
    // The first packet, then the 49 gathered behind it together.
    expect(writes.calls).toBe(2);
  });

  it('keeps sending after the wrap: acknowledgements, later ticks, a closed connection', async () => {
    writeGatheredPacketsTogether(socket);
    socket.on('ping?', (ack: (answer: string) => void) => ack('pong'));
    expect(await client.timeout(2000).emitWithAck('ping?')).toBe('pong');
    expect(await emitInOneTick(3)).toEqual([0, 1, 2]);
    socket.disconnect(true);
    expect(() => socket.emit('tile', 4)).not.toThrow();
  });

  it('changes nothing where the TCP socket cannot be reached', () => {
    const conn = { transport: { send: () => undefined } };
    expect(writeGatheredPacketsTogether({ conn } as unknown as Socket)).toBe(false);
    expect(tcpSocketOf({ conn } as unknown as Socket)).toBeNull();
  });
});
