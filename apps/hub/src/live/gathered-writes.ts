// Fewer writes to a busy staff console (issue 12). A console watching the hub gets an event for
// every device that answers, reports or changes: during a policy change to 5,000 devices that is
// thousands of events a second to the same socket. engine.io already gathers the packets emitted
// while the socket's previous write is in flight and sends them together, but `ws` writes each
// as its own frame, and each frame was its own system call (on this machine's loopback
// 80-100 µs each, the receiving side's work included), holding the event loop that a teacher's
// lock waits on. Here the frames of one such send are written with the TCP socket corked, so
// they leave in one `writev`. Socket.IO has no such setting, so the wrap is on the connection's
// transport; where its TCP socket cannot be reached (another transport, a library version that
// moved it), nothing changes and frames go out one by one as before.
import type { Socket } from 'socket.io';

/** What of Node's `net.Socket` the wrap needs. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/** engine.io's transport, as far as the wrap uses it. */
interface SendingTransport {
  send(packets: unknown[]): void;
  /** The `ws` WebSocket of the WebSocket transport; it keeps its `net.Socket` as `_socket`. */
  socket?: { _socket?: Partial<Corkable> };
}

/**
 * The TCP socket under a Socket.IO connection on the WebSocket transport: engine.io's transport
 * keeps the `ws` WebSocket as `socket`, which keeps its `net.Socket` as `_socket`. Null when the
 * path is not there.
 */
export function tcpSocketOf(socket: Pick<Socket, 'conn'>): Corkable | null {
  const transport = (socket.conn as unknown as { transport?: SendingTransport }).transport;
  const raw = transport?.socket?._socket;
  return raw && typeof raw.cork === 'function' && typeof raw.uncork === 'function'
    ? (raw as Corkable)
    : null;
}

/**
 * Makes every send of several packets on this connection one write: the TCP socket is corked
 * while engine.io hands the packets to `ws`, and uncorked after. Order and content are unchanged.
 * Call once per connection (the staff namespace has no transport upgrade, so the transport is
 * the connection's for its life).
 *
 * @returns false (and nothing changed) when the connection's TCP socket cannot be reached
 */
export function writeGatheredPacketsTogether(socket: Pick<Socket, 'conn'>): boolean {
  const transport = (socket.conn as unknown as { transport?: SendingTransport }).transport;
  const raw = tcpSocketOf(socket);
  if (!transport || !raw || typeof transport.send !== 'function') {
    return false;
  }
  const send = transport.send.bind(transport);
  transport.send = (packets: unknown[]) => {
    if (packets.length < 2) {
      send(packets);
      return;
    }
    raw.cork();
    try {
      send(packets);
    } finally {
      raw.uncork();
    }
  };
  return true;
}
