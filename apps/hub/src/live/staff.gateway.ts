// The /staff Socket.IO namespace: live events for signed-in staff (device presence and state,
// command progress), which the teacher console builds on (issue 11). The bearer token is checked
// in the connection middleware, the AUP gate too (issue 9); each socket joins only the rooms its
// roles allow. Events come from the in-process bus and go out as they happen: one emit per room,
// no database read per event, so the device path does not wait on 30 consoles; the events
// gathered while a console's last write was in flight leave in one write (gathered-writes.ts).
// In a cluster (HUB_REDIS) the room emits reach the staff of every hub through the Redis adapter.
import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { ClassUnwatchAck, ClassWatchAck } from '@app/hub-api';
import {
  AUP_REQUIRED_PREFIX,
  DeviceState,
  DeviceStateSummary,
  HubToStaffEvents,
  STAFF_NAMESPACE,
  StaffCommandStatus,
  StaffToHubEvents,
  StaffUnknownEventAck,
  toPlainText,
  UNAUTHORIZED_MESSAGE,
} from '@app/devices';
import type { Namespace, Socket } from 'socket.io';
import { ClassSessionsService } from '../classroom/class-sessions.service';
import { ClassTilesService } from '../classroom/class-tiles.service';
import { ClassWatchDto } from '../classroom/dto/class.dto';
import { StaffAuthenticator } from '../common/access';
import { Clock } from '../common/clock';
import { HubEvents } from '../common/hub-events';
import { InOrderPerKey } from '../common/in-order';
import { hasAnyRole, StaffPrincipal, StaffRole } from '../common/roles';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { aupRequiredMessage, AupService } from '../staff/aup.service';
import { writeGatheredPacketsTogether } from './gathered-writes';

/** What the hub keeps on a staff socket. The token stays in memory, to check it again later. */
export interface StaffSocketData {
  staffId: string;
  token: string;
  /** The classes this socket watches (`class.watch`, issue 12). */
  watching?: Set<string>;
}

/** The room of a watched class's `class.tile` and `class.session` events. */
export function classRoom(classId: string): string {
  return `class:${classId}`;
}
export type StaffSocket = Socket<
  StaffToHubEvents,
  HubToStaffEvents,
  Record<string, never>,
  StaffSocketData
>;
export type StaffNamespace = Namespace<
  StaffToHubEvents,
  HubToStaffEvents,
  Record<string, never>,
  StaffSocketData
>;

/**
 * The rooms of /staff and who may join each: the same roles as the routes that read the same
 * things, so the live view shows no more than the API would.
 */
export const STAFF_ROOMS = {
  /** device.presence (and device.online / device.offline): any signed-in member of staff. */
  presence: { name: 'presence', roles: 'any' },
  /** device.state: as GET /api/devices. */
  devices: { name: 'devices', roles: ['ict', 'teacher', 'office', 'trip_leader'] },
  /**
   * command.updated: the roles that read any device's commands (GET /api/devices/:id/commands).
   * A teacher reads only their classes' tablets' there, and an event is not filtered per reader
   * (no read per event), so teachers follow their tablets' commands on the tiles (`pending`).
   */
  commands: { name: 'commands', roles: ['ict', 'safeguarding'] },
  /** compliance.progress: as GET /api/compliance. */
  compliance: { name: 'compliance', roles: ['ict'] },
} as const satisfies Record<string, { name: string; roles: readonly StaffRole[] | 'any' }>;

/**
 * The events a client may send on /staff, each answered by a handler of StaffGateway. Keyed by
 * the shared event map, so an event added there and not here fails the type check.
 */
const STAFF_CLIENT_EVENTS: Readonly<Record<keyof StaffToHubEvents, true>> = {
  'class.watch': true,
  'class.unwatch': true,
};

/**
 * Answers, where the sender asked for an acknowledgement, each event of this socket that /staff
 * does not take: without it the client's callback waited for ever. `{ok: false, error:
 * 'unknown_event', message}` (StaffUnknownEventAck), as a known event's bad body is answered
 * `{ok: false, error: 'invalid'}`; the event is otherwise ignored, as /device does (protocol
 * section 3). The acknowledgement is the last argument, wherever it falls.
 */
export function answerUnknownEvents(socket: Pick<StaffSocket, 'onAny'>): void {
  socket.onAny((event: unknown, ...args: unknown[]) => {
    const ack = args[args.length - 1];
    if (
      typeof ack !== 'function' ||
      (typeof event === 'string' && Object.hasOwn(STAFF_CLIENT_EVENTS, event))
    ) {
      return;
    }
    const name = typeof event === 'string' ? toPlainText(event, 100) : String(event);
    const answer: StaffUnknownEventAck = {
      ok: false,
      error: 'unknown_event',
      message: `'${name}' is not a /staff event: /staff takes ${Object.keys(STAFF_CLIENT_EVENTS).join(' and ')}`,
    };
    (ack as (answer: StaffUnknownEventAck) => void)(answer);
  });
}

/** How often every staff socket's sign-in and AUP acceptance is checked again. */
export const STAFF_RECHECK_MS = 30_000;

/** The rooms a member of staff joins, by their roles. */
export function staffRoomsFor(principal: StaffPrincipal): string[] {
  return Object.values(STAFF_ROOMS)
    .filter((room) => room.roles === 'any' || hasAnyRole(principal, room.roles))
    .map((room) => room.name);
}

/** What a console is told of a device's report: no more than a device list shows. */
export function toStateSummary(state: DeviceState): DeviceStateSummary {
  return {
    locked: state.locked,
    appLock: state.appLock,
    policyVersion: state.policyVersion,
    battery: state.battery,
    charging: state.charging,
    storageFreeMb: state.storageFreeMb,
    osVersion: state.osVersion,
    agentVersion: state.agentVersion,
    pendingPhotos: state.pendingPhotos,
  };
}

@WebSocketGateway({
  namespace: STAFF_NAMESPACE,
  transports: ['websocket'],
  maxHttpBufferSize: 256 * 1024,
  pingInterval: 25_000,
  pingTimeout: 20_000,
})
export class StaffGateway implements OnGatewayInit, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(StaffGateway.name);
  private namespace: StaffNamespace | null = null;
  private recheckTimer: NodeJS.Timeout | null = null;
  /** Keeps one socket's `class.watch` and `class.unwatch` of a class in the order sent. */
  private readonly classOps = new InOrderPerKey<string>();
  /** How often each class's teachers have changed (a watch in flight then asks again). */
  private readonly teacherChanges = new Map<string, number>();

  constructor(
    private readonly authenticator: StaffAuthenticator,
    private readonly aup: AupService,
    private readonly events: HubEvents,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly classSessions: ClassSessionsService,
    classTiles: ClassTilesService,
  ) {
    // Issue 12: a watched class's tiles and session, to the sockets that sent `class.watch`.
    classTiles.onTile((classId, tile) =>
      this.namespace?.to(classRoom(classId)).emit('class.tile', { classId, tile }),
    );
    classTiles.onSession((classId, session) =>
      this.namespace?.to(classRoom(classId)).emit('class.session', { classId, session }),
    );
    // This hub's own watchers only: in a cluster every hub that follows the class hears of the
    // change and tells its own, once its tiles follow the new tablets (sent through the Redis
    // adapter, a watcher would be told once by each of them).
    classTiles.onTablets((classId) =>
      this.namespace?.local.to(classRoom(classId)).emit('class.tablets', { classId }),
    );
    this.events.on('device.connected', ({ deviceId }) => {
      const at = this.now();
      this.emit(STAFF_ROOMS.presence.name, 'device.online', { deviceId, at });
      this.emit(STAFF_ROOMS.presence.name, 'device.presence', {
        deviceId,
        online: true,
        lastSeenAt: at,
      });
    });
    this.events.on('device.disconnected', ({ deviceId }) => {
      const at = this.now();
      this.emit(STAFF_ROOMS.presence.name, 'device.offline', { deviceId, at });
      this.emit(STAFF_ROOMS.presence.name, 'device.presence', {
        deviceId,
        online: false,
        lastSeenAt: at,
      });
    });
    // In a cluster: devices this hub marked offline for a dead hub (or online again for itself),
    // with no socket of theirs going or coming here. Only this hub hears of it, and it tells the
    // consoles of every hub once; `lastSeenAt` is what the device's row now says.
    this.events.on('devices.presence.marked', ({ online, devices }) => {
      const at = this.now();
      for (const { deviceId, lastSeenAt } of devices) {
        this.emit(STAFF_ROOMS.presence.name, online ? 'device.online' : 'device.offline', {
          deviceId,
          at,
        });
        this.emit(STAFF_ROOMS.presence.name, 'device.presence', {
          deviceId,
          online,
          lastSeenAt: lastSeenAt ?? at,
        });
      }
    });
    this.events.on('device.state', ({ deviceId, state }) => {
      if (this.listening(STAFF_ROOMS.devices.name)) {
        this.emit(STAFF_ROOMS.devices.name, 'device.state', {
          deviceId,
          state: toStateSummary(state),
          at: this.now(),
        });
      }
    });
    this.events.on('command.updated', ({ commandId, deviceId, type, status }) =>
      this.emit(STAFF_ROOMS.commands.name, 'command.updated', {
        commandId,
        deviceId,
        type,
        status: status as StaffCommandStatus,
        detail: null,
      }),
    );
    this.events.on('command.answered', ({ commandId, deviceId, type, status, detail }) =>
      this.emit(STAFF_ROOMS.commands.name, 'command.updated', {
        commandId,
        deviceId,
        type,
        status,
        detail,
      }),
    );
    // Already coalesced by the policies module (a few a second during a push).
    this.events.on('compliance.progress', (progress) =>
      this.emit(STAFF_ROOMS.compliance.name, 'compliance.progress', progress),
    );
    this.events.on('aup.published', ({ version }) => this.dropUnaccepted(version));
    this.events.on('staff.changed', ({ staffId }) =>
      this.recheck(this.socketsOf((socket) => socket.data.staffId === staffId)),
    );
    this.events.on('class.teachers.changed', ({ classId }) => {
      this.teacherChanges.set(classId, (this.teacherChanges.get(classId) ?? 0) + 1);
      this.recheck(this.socketsOf((socket) => socket.data.watching?.has(classId) === true));
    });
  }

  afterInit(namespace: StaffNamespace): void {
    this.namespace = namespace;
    namespace.on('connection', (socket) => {
      writeGatheredPacketsTogether(socket);
      answerUnknownEvents(socket);
    });
    namespace.use((socket, next) => {
      const token: unknown = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || token === '') {
        next(new Error(UNAUTHORIZED_MESSAGE));
        return;
      }
      this.admit(token)
        .then((admitted) => {
          if (admitted instanceof Error) {
            next(admitted);
            return;
          }
          socket.data.staffId = admitted.id;
          socket.data.token = token;
          // Joined here, before the connection is announced: no event is missed in between.
          void socket.join(staffRoomsFor(admitted));
          next();
        })
        .catch((error: unknown) => {
          this.logger.error(`Staff sign-in check failed: ${String(error)}`);
          next(new Error(UNAUTHORIZED_MESSAGE));
        });
    });
    // Sessions that end with no event here (expiry, a password reset from the server's shell)
    // and a publish that raced a connection are caught by this check.
    this.recheckTimer = setInterval(() => this.recheckAll(), STAFF_RECHECK_MS);
    this.recheckTimer.unref();
  }

  /**
   * `class.watch {classId}` (issue 12): acknowledged `{ok: true, session, tiles}` and followed
   * by `class.tile` whenever a tile changes, or `{ok: false, error}`: `forbidden` for a class
   * this person may not see (a teacher of another class), `not_found` (ICT, no such class),
   * `invalid` for a body that is not `{classId: uuid}`, `unavailable` when the class could not be
   * read (the watch is not held). Roles are read again on each watch.
   */
  @SubscribeMessage('class.watch')
  async watchClass(
    @ConnectedSocket() socket: StaffSocket,
    @MessageBody() body: unknown,
  ): Promise<ClassWatchAck> {
    const classId = await validClassId(body);
    if (classId === null) {
      return { ok: false, error: 'invalid' };
    }
    // One socket's watches and unwatches of a class run one after another, in the order sent.
    return this.classOps
      .after(watchKey(socket, classId), () => this.watchInTurn(socket, classId))
      .catch((error: unknown) => {
        // Thrown past the gateway, Nest would send an `exception` event and never answer.
        this.logger.error(`A class watch failed: ${String(error)}`);
        return { ok: false, error: 'unavailable' } as const;
      });
  }

  private async watchInTurn(socket: StaffSocket, classId: string): Promise<ClassWatchAck> {
    const teachersBefore = this.teacherChanges.get(classId) ?? 0;
    const principal = await this.authenticator.authenticate(socket.data.token);
    if (!principal || socket.disconnected) {
      return { ok: false, error: 'forbidden' };
    }
    const watching = (socket.data.watching ??= new Set());
    const room = classRoom(classId);
    let answer: ClassWatchAck;
    try {
      // Joined once the class is allowed and before its tiles are read: a tile that changes
      // after the read reaches this socket as `class.tile`, never falls between read and join.
      answer = await this.classSessions.watch(principal, classId, () => socket.join(room));
    } catch (error) {
      this.logger.error(`A class watch failed: ${String(error)}`);
      if (!watching.has(classId)) {
        await socket.leave(room);
      }
      return { ok: false, error: 'unavailable' };
    }
    if (socket.disconnected) {
      // handleDisconnect gave up the earlier watch; this one is given up here.
      if (answer.ok) {
        this.classSessions.unwatch(classId);
      }
      return answer.ok ? { ok: false, error: 'forbidden' } : answer;
    }
    if (answer.ok && (this.teacherChanges.get(classId) ?? 0) !== teachersBefore) {
      // The class's teachers changed while it was read: asked again now that the watch holds.
      const access = await this.classSessions.access(principal, classId);
      if (access !== 'ok') {
        this.classSessions.unwatch(classId);
        answer = { ok: false, error: access };
      }
    }
    if (!answer.ok) {
      // Refused now (no longer this person's class): an earlier watch of it ends too.
      await this.endWatch(socket, classId);
      return answer;
    }
    if (watching.has(classId)) {
      // Watched again (the console reads the grid afresh): the earlier watch is given up only
      // now, so the class is followed throughout and no tile change in between is missed.
      this.classSessions.unwatch(classId);
    } else {
      watching.add(classId);
    }
    return answer;
  }

  /** `class.unwatch {classId}`: no more `class.tile` for that class. */
  @SubscribeMessage('class.unwatch')
  async unwatchClass(
    @ConnectedSocket() socket: StaffSocket,
    @MessageBody() body: unknown,
  ): Promise<ClassUnwatchAck> {
    const classId = await validClassId(body);
    if (classId === null) {
      return { ok: false, error: 'invalid' };
    }
    return this.classOps.after(watchKey(socket, classId), async () => {
      await this.endWatch(socket, classId);
      return { ok: true } as const;
    });
  }

  /**
   * Ends this socket's watch of a class, if it holds one, and takes it out of the class's room.
   * @returns whether a watch was held
   */
  private async endWatch(socket: StaffSocket, classId: string): Promise<boolean> {
    const held = socket.data.watching?.delete(classId) === true;
    if (held) {
      this.classSessions.unwatch(classId);
    }
    await socket.leave(classRoom(classId));
    return held;
  }

  handleDisconnect(socket: StaffSocket): void {
    for (const classId of socket.data.watching ?? []) {
      this.classSessions.unwatch(classId);
    }
    socket.data.watching?.clear();
  }

  onModuleDestroy(): void {
    if (this.recheckTimer) {
      clearInterval(this.recheckTimer);
      this.recheckTimer = null;
    }
    // This hub's consoles only (`local`): in a cluster a plain namespace-wide disconnect goes
    // through the Redis adapter to every hub, and stopping one hub dropped every console.
    this.namespace?.local.disconnectSockets(true);
  }

  /**
   * Checks a token and the AUP gate for a connection.
   *
   * @returns the principal, or the `connect_error` to refuse it with: message `unauthorized`
   *   (its `data.message` says why in words, as the HTTP 401 does), or
   *   `aup_required: <what to do>`
   */
  async admit(token: string): Promise<StaffPrincipal | Error> {
    const outcome = await this.check(token);
    if (outcome.kind === 'ended') {
      return Object.assign(new Error(UNAUTHORIZED_MESSAGE), { data: { message: outcome.why } });
    }
    if (outcome.kind === 'aup') {
      return new Error(`${AUP_REQUIRED_PREFIX}: ${aupRequiredMessage(outcome.version)}`);
    }
    return outcome.principal;
  }

  private async check(
    token: string,
  ): Promise<
    | { kind: 'ok'; principal: StaffPrincipal }
    | { kind: 'ended'; why: string }
    | { kind: 'aup'; version: string }
  > {
    const principal = await this.authenticator.authenticate(token);
    if (!principal) {
      return { kind: 'ended', why: await this.authenticator.whySignInEnded(token) };
    }
    const version = await this.aup.versionToAccept(principal.id);
    return version ? { kind: 'aup', version } : { kind: 'ok', principal };
  }

  /**
   * Checks these sockets' sign-ins and AUP acceptance again and disconnects those that no longer
   * pass, telling each why first (`session.ended` or `aup.required`). Those that pass are moved
   * to the rooms their roles allow now, and stop watching any class they may no longer see.
   */
  recheck(sockets: readonly StaffSocket[]): void {
    for (const socket of sockets) {
      this.check(socket.data.token)
        .then((outcome) => {
          if (socket.disconnected) {
            return;
          }
          if (outcome.kind === 'ok') {
            syncRooms(socket, staffRoomsFor(outcome.principal));
            return this.dropForbiddenWatches(socket, outcome.principal);
          }
          if (outcome.kind === 'ended') {
            socket.emit('session.ended', { message: outcome.why });
          } else {
            socket.emit('aup.required', {
              version: outcome.version,
              message: aupRequiredMessage(outcome.version),
            });
          }
          socket.disconnect(true);
        })
        .catch((error: unknown) => this.logger.error(`Staff recheck failed: ${String(error)}`));
    }
  }

  /** Ends this socket's watches of classes the person may no longer see (taken off, role gone). */
  private async dropForbiddenWatches(
    socket: StaffSocket,
    principal: StaffPrincipal,
  ): Promise<void> {
    for (const classId of [...(socket.data.watching ?? [])]) {
      const access = await this.classSessions.access(principal, classId);
      if (access !== 'ok' && (await this.endWatch(socket, classId))) {
        socket.emit('class.unwatched', { classId, error: access });
      }
    }
  }

  /**
   * Checks every staff socket again (every STAFF_RECHECK_MS): a sign-in that expired or ended
   * without an event here, or a publish that raced a connection, ends its socket within that.
   */
  recheckAll(): void {
    this.recheck(this.socketsOf(() => true));
  }

  /** After a publish: everyone connected who has not accepted that exact text is dropped. */
  private async dropUnaccepted(version: string): Promise<void> {
    if (!this.config.requireAup) {
      return;
    }
    const sockets = this.socketsOf(() => true);
    if (sockets.length === 0) {
      return;
    }
    const accepted = await this.aup.acceptedBy(version, [
      ...new Set(sockets.map((socket) => socket.data.staffId)),
    ]);
    const message = aupRequiredMessage(version);
    for (const socket of sockets) {
      if (!accepted.has(socket.data.staffId) && socket.connected) {
        socket.emit('aup.required', { version, message });
        socket.disconnect(true);
      }
    }
  }

  private socketsOf(match: (socket: StaffSocket) => boolean): StaffSocket[] {
    return this.namespace ? [...this.namespace.sockets.values()].filter(match) : [];
  }

  /**
   * Whether anyone may be in the room. In a cluster the staff in it may be on any hub, and this
   * hub's adapter knows only its own sockets: the event goes out through Redis to every hub, sent
   * once, by the hub where it happened (the one that holds the device, or took the request).
   */
  private listening(room: string): boolean {
    return this.config.cluster !== null || (this.namespace?.adapter.rooms.get(room)?.size ?? 0) > 0;
  }

  /** The one typed way out: an event of the shared map to a room, skipped when nobody is in it. */
  private emit<E extends keyof HubToStaffEvents>(
    room: string,
    event: E,
    ...args: Parameters<HubToStaffEvents[E]>
  ): void {
    if (this.namespace && this.listening(room)) {
      this.namespace.to(room).emit(event, ...args);
    }
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

/** The class id of a `class.watch`/`class.unwatch` body, or null when it is not `{classId: uuid}`. */
async function validClassId(body: unknown): Promise<string | null> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return null;
  }
  const dto = plainToInstance(ClassWatchDto, body);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length === 0 ? dto.classId : null;
}

/** The key that orders one socket's watches of one class. */
function watchKey(socket: StaffSocket, classId: string): string {
  return `${socket.id} ${classId}`;
}

/** Leaves the staff rooms a socket may no longer be in and joins those it may now. */
function syncRooms(socket: StaffSocket, allowed: readonly string[]): void {
  for (const room of Object.values(STAFF_ROOMS).map((r) => r.name)) {
    if (allowed.includes(room) && !socket.rooms.has(room)) {
      void socket.join(room);
    } else if (!allowed.includes(room) && socket.rooms.has(room)) {
      void socket.leave(room);
    }
  }
}
