// The console's one connection to the hub's /staff Socket.IO namespace, typed by the event map
// the hub shares (libs/devices/src/staff-events.ts). Opened once the person is signed in and has
// accepted the AUP, closed at sign-out. Screens listen with useStaffEvent and update their
// TanStack Query caches from it; there is no second store of the same data.
import { UNAUTHORIZED_MESSAGE } from '@app/devices/protocol';
import {
  AUP_REQUIRED_PREFIX,
  STAFF_NAMESPACE,
  type HubToStaffEvents,
  type StaffToHubEvents,
  type UnauthorizedData,
} from '@app/devices/staff-events';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';

export type StaffSocket = Socket<HubToStaffEvents, StaffToHubEvents>;

/** What the connection is doing, for a "Live updates paused" notice. */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

let socket: StaffSocket | null = null;
let status: LiveStatus = 'off';
const statusListeners = new Set<() => void>();

function setStatus(next: LiveStatus): void {
  status = next;
  statusListeners.forEach((listener) => listener());
}

export interface StaffSocketHooks {
  /**
   * The sign-in ended (connect_error `unauthorized`, or `session.ended`); `why` is the hub's
   * sentence, when it gave one.
   */
  unauthorized(why?: string): void;
  /** The account must accept a new AUP first (`aup_required…`, or `aup.required`). */
  aupRequired(): void;
}

/**
 * Opens the /staff connection with this token (websocket only, as the hub serves it), closing
 * any other first. Reconnects on its own after a network drop; gives up on a refusal.
 */
export function openStaffSocket(token: string, hooks: StaffSocketHooks): StaffSocket {
  closeStaffSocket();
  const next: StaffSocket = io(STAFF_NAMESPACE, {
    auth: { token },
    transports: ['websocket'],
  });
  setStatus('connecting');
  /** Connections the hub itself ended in a row, each shorter than a minute (for the wait). */
  let endedByHub = 0;
  let connectedAt = 0;
  next.on('connect', () => {
    connectedAt = Date.now();
    setStatus('live');
  });
  next.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') {
      // Socket.IO's client never reconnects after the hub ends the connection, and the hub
      // ends every console's connection when it stops (a restart, an update): without this the
      // screens stay as they were, looking live, until a reload. A sign-in that ended or an AUP
      // to accept says so first (session.ended, aup.required) and the session closes this
      // socket; if it has not yet, the new handshake is refused and says why.
      endedByHub = Date.now() - connectedAt > 60_000 ? 1 : endedByHub + 1;
      setStatus('reconnecting');
      setTimeout(() => {
        if (socket === next && !next.connected && !next.active) {
          next.connect();
        }
      }, reconnectDelayMs(endedByHub));
      return;
    }
    setStatus(next.active ? 'reconnecting' : 'off');
  });
  next.on('connect_error', (error) => {
    if (error.message === UNAUTHORIZED_MESSAGE) {
      const data = (error as Error & { data?: Partial<UnauthorizedData> }).data;
      hooks.unauthorized(typeof data?.message === 'string' ? data.message : undefined);
    } else if (error.message.startsWith(AUP_REQUIRED_PREFIX)) {
      hooks.aupRequired();
    }
    setStatus(next.active ? 'reconnecting' : 'off');
  });
  next.on('session.ended', (event) => hooks.unauthorized(event.message));
  next.on('aup.required', () => hooks.aupRequired());
  socket = next;
  return next;
}

/**
 * How long to wait before connecting again after the hub ended the connection for the `nth`
 * time in a row (ms): 1 s, then doubling to 30 s, with up to a quarter more at random so that
 * a school's consoles do not all come back at the same instant.
 */
export function reconnectDelayMs(nth: number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, nth - 1));
  return base + Math.floor(Math.random() * base * 0.25);
}

/** Closes the connection (sign-out, a new AUP to accept). */
export function closeStaffSocket(): void {
  if (socket) {
    socket.removeAllListeners();
    socket.disconnect();
    socket = null;
  }
  setStatus('off');
}

/** How long an acknowledged emit waits for the hub before giving up. */
const ACK_TIMEOUT_MS = 10_000;

/** The hub's acknowledgement of `event` (the last argument of its listener). */
export type StaffAck<E extends keyof StaffToHubEvents> =
  Parameters<StaffToHubEvents[E]> extends [unknown, (answer: infer A) => void] ? A : never;

/**
 * Sends `event` on the /staff connection and resolves with the hub's acknowledgement
 * (`class.watch` answers `{ ok: true, tiles, ... }` or `{ ok: false, error }`).
 *
 * @throws Error when there is no open connection, or the hub did not answer within 10 s
 */
export async function emitWithAck<E extends keyof StaffToHubEvents>(
  event: E,
  request: Parameters<StaffToHubEvents[E]>[0],
): Promise<StaffAck<E>> {
  if (!socket?.connected) {
    throw new Error('The live connection to the hub is not open.');
  }
  // Socket.IO's typed emitWithAck does not narrow a generic event name; the map keeps it honest.
  const target = socket.timeout(ACK_TIMEOUT_MS) as unknown as {
    emitWithAck(e: string, r: unknown): Promise<StaffAck<E>>;
  };
  return target.emitWithAck(event, request);
}

/** Whether the /staff connection is open now (an acknowledged emit can be sent). */
export function isStaffSocketLive(): boolean {
  return socket?.connected === true;
}

/** The connection's status, re-rendering when it changes. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    () => status,
  );
}

/**
 * Calls `handler` for every `event` the hub sends while the component is mounted. The latest
 * handler is always the one called, so it may close over props and state freely.
 *
 * @example
 *   useStaffEvent('device.presence', (event) =>
 *     queryClient.invalidateQueries({ queryKey: ['/api/devices'] }));
 */
export function useStaffEvent<E extends keyof HubToStaffEvents>(
  event: E,
  handler: HubToStaffEvents[E],
): void {
  const latest = useRef(handler);
  latest.current = handler;
  const live = useLiveStatus();
  useEffect(() => {
    const current = socket;
    if (!current) {
      return;
    }
    const listener = ((...args: Parameters<HubToStaffEvents[E]>) =>
      (latest.current as (...a: Parameters<HubToStaffEvents[E]>) => void)(
        ...args,
      )) as HubToStaffEvents[E];
    // Socket.IO's typed `on` does not narrow a generic event name; the map keeps it honest.
    (current as unknown as { on(e: string, l: unknown): void }).on(event, listener);
    return () => {
      (current as unknown as { off(e: string, l: unknown): void }).off(event, listener);
    };
    // `live`: subscribe again on the socket opened after sign-in.
  }, [event, live]);
}
