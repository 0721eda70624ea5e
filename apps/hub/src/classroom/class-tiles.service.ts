// The teacher's grid (issue 12): one tile per tablet of a class, and the live view that sends a
// watching console `class.tile` whenever a tile changes (online, locked, app, battery, absent,
// pending, on a trip). Device events from the in-process bus mark tiles dirty; the dirty tiles of
// one tick are read with one query per kind (rows, open commands) and only tiles that changed
// are sent.
// A class is followed while someone on this hub watches it. In a cluster (issue 10) every hub
// also follows the classes watched on the others (`classes.watched`, a cluster event), lesson or
// not, and each tile is sent by one hub only, to the watchers on every hub through the Redis
// adapter: the hub its tablet is connected to, or for a tablet connected to none the hub that
// heard of the change first-hand (`senderHere`). A change of a class's tablets or of its session
// reaches every hub (`class.tablets.changed`, `class.session.changed`), and each follows it.
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import type { ClassSession, ClassTile } from '@app/hub-api';
import { EventOrigin, HubEvents } from '../common/hub-events';
import { HubInstance } from '../common/hub-instance';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { CommandsRepository } from '../commands/commands.repository';
import { TransactionRunner } from '../database/transaction-runner';
import { DevicesService } from '../devices/devices.service';
import { PolicyOverlaysService } from '../policies/policy-overlays.service';
import { ClassesRepository, TileDeviceRow } from './classes.repository';
import type { ClassEntity } from './classroom.entities';

/** Command types that a tile waits on: what a class (or ICT) asked the tablet to do. */
export const TILE_COMMAND_TYPES = [
  'device.lock',
  'device.unlock',
  'app.lock',
  'app.unlock',
  'message.show',
  'policy.apply',
] as const;

/** What a tablet last reported of itself, kept from `state` events (fresher than its row). */
interface ReportedBits {
  locked: boolean;
  appLock: string | null;
  battery: number | null;
  at: string;
}

interface FollowedClass {
  deviceIds: Set<string>;
  absent: Set<string>;
  /** The last tile sent for each device, as JSON. */
  sent: Map<string, string>;
  /** How many watches this hub's consoles hold. */
  watchers: number;
  /** In a cluster: the other hubs whose consoles watch it (`classes.watched`). */
  peers: Set<string>;
}

/**
 * How this hub heard that a tile may have changed, which decides in a cluster whether it sends
 * the tile (see `senderHere`): from another hub (PEER), through a cluster event emitted here that
 * every hub hears (SHARED), or through something only this hub heard of (HERE: a device's
 * report, a command's answer or expiry, a class action). A tile marked twice in one tick keeps
 * the greater.
 */
const PEER = 0;
const SHARED = 1;
const HERE = 2;
type Heard = typeof PEER | typeof SHARED | typeof HERE;

/** SHARED for a cluster event emitted here, PEER for one another hub emitted. */
const heardFrom = (origin: EventOrigin): Heard => (origin === 'peer' ? PEER : SHARED);

export type TileListener = (classId: string, tile: ClassTile) => void;
export type SessionListener = (classId: string, session: ClassSession) => void;
export type TabletsListener = (classId: string) => void;

/**
 * A tile from a device's row, what it last reported, its open commands, the session's absences
 * and a class's camera allowance on it (`cameraUntil`, ISO 8601, or null), and the trip it is out
 * on (`onTrip`, or null). `pending`: an open
 * lock/app/message/policy command, or a reported lock or app that differs from the desired one.
 */
export function toClassTile(
  row: TileDeviceRow,
  online: boolean,
  reported: ReportedBits | null,
  openCommands: number,
  absent: boolean,
  cameraUntil: string | null = null,
  onTrip: { tripId: string; name: string } | null = null,
): ClassTile {
  const parsed =
    reported ??
    (row.reportedState
      ? (() => {
          const state = JSON.parse(row.reportedState) as {
            locked?: boolean;
            appLock?: string | null;
            battery?: number;
          };
          return {
            locked: state.locked === true,
            appLock: state.appLock ?? null,
            battery: typeof state.battery === 'number' ? state.battery : null,
            at: row.lastSeenAt ?? '',
          };
        })()
      : null);
  const wantLocked = row.desiredLock !== null;
  const differs = parsed
    ? parsed.locked !== wantLocked || (parsed.appLock ?? null) !== (row.desiredAppLock ?? null)
    : wantLocked || row.desiredAppLock !== null;
  return {
    deviceId: row.id,
    name: row.name,
    assetTag: row.assetTag,
    online,
    lastSeenAt: latest(row.lastSeenAt, reported?.at ?? null),
    locked: parsed ? parsed.locked : null,
    appLock: parsed ? parsed.appLock : null,
    battery: parsed ? parsed.battery : null,
    absent,
    pending: openCommands > 0 || differs,
    lockOwner: row.desiredLockOwner,
    cameraUntil,
    onTrip,
  };
}

function latest(a: string | null, b: string | null): string | null {
  if (a === null || b === null) {
    return a ?? b;
  }
  return a > b ? a : b;
}

const byName = (a: ClassTile, b: ClassTile) =>
  (a.name ?? '').localeCompare(b.name ?? '', 'en', { numeric: true }) ||
  a.deviceId.localeCompare(b.deviceId);

@Injectable()
export class ClassTilesService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ClassTilesService.name);
  private readonly followed = new Map<string, FollowedClass>();
  private readonly classesOfDevice = new Map<string, Set<string>>();
  private readonly reported = new Map<string, ReportedBits>();
  /**
   * Devices whose reports are no longer this hub's to keep: revoked, or (in a cluster) connected
   * to another hub since they were last here. A report of theirs still being read is dropped.
   */
  private readonly notReportingHere = new Set<string>();
  private readonly dirty = new Map<string, Heard>();
  private flushing: Promise<void> | null = null;
  private flushQueued = false;
  private readonly tileListeners = new Set<TileListener>();
  private readonly sessionListeners = new Set<SessionListener>();
  private readonly tabletsListeners = new Set<TabletsListener>();
  private beatTimer: NodeJS.Timeout | null = null;
  /**
   * In a cluster: the classes each other hub's consoles watch, as that hub last said, and when
   * (ms). A hub not heard from for HUB_CLUSTER_DEAD_AFTER_MS is taken to watch nothing.
   */
  private readonly watchedElsewhere = new Map<string, { classIds: Set<string>; heardAt: number }>();
  private announcing = false;

  constructor(
    private readonly classes: ClassesRepository,
    private readonly commands: CommandsRepository,
    private readonly devices: DevicesService,
    private readonly events: HubEvents,
    private readonly tx: TransactionRunner,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly instance: HubInstance,
    private readonly overlays: PolicyOverlaysService,
  ) {}

  onModuleInit(): void {
    const touch = ({ deviceId }: { deviceId: string }) => this.touch([deviceId], HERE);
    this.events.on('device.connected', touch);
    this.events.on('device.disconnected', touch);
    this.events.on('command.updated', touch);
    this.events.on('command.answered', touch);
    this.events.on('commands.queued', ({ deviceIds }, origin) =>
      this.touch(deviceIds, heardFrom(origin)),
    );
    this.events.on('overlays.expired', ({ deviceIds }, origin) =>
      this.touch(deviceIds, heardFrom(origin)),
    );
    // A trip step that lays no settings (or none that change the device) queues no command: its
    // own event wakes the tiles, from whichever hub of a cluster took the step.
    this.events.on('trip.devices.changed', ({ deviceIds }, origin) =>
      this.touch(deviceIds, heardFrom(origin)),
    );
    // Kept for every device, followed or not: a report that arrives while a class's tiles are
    // first read is in its tile, though the device's row may not have it yet (presence writes
    // are gathered). Reports come in the order the device sent them (DevicesService).
    this.events.on('device.state', ({ deviceId, state, receivedAt }) => {
      if (this.notReportingHere.has(deviceId)) {
        return;
      }
      this.reported.set(deviceId, {
        locked: state.locked,
        appLock: state.appLock ?? null,
        battery: state.battery ?? null,
        at: receivedAt.toISOString(),
      });
      this.touch([deviceId], HERE);
    });
    this.events.on('device.revoked', ({ deviceId }) => {
      this.reported.delete(deviceId);
      this.notReportingHere.add(deviceId);
    });
    // In a cluster: devices now held by another hub report there; their rows are the truth here.
    this.events.on('devices.claimed', ({ hubId, deviceIds }) => {
      if (hubId !== this.instance.id) {
        for (const deviceId of deviceIds) {
          this.reported.delete(deviceId);
          this.notReportingHere.add(deviceId);
          // That hub sends its tiles now: what this one sent last is no guide when it is back.
          for (const classId of this.classesOfDevice.get(deviceId) ?? []) {
            this.followed.get(classId)?.sent.delete(deviceId);
          }
        }
      }
    });
    this.events.on('device.connected', ({ deviceId }) => {
      this.notReportingHere.delete(deviceId);
    });
    // In a cluster: this hub marked devices offline for a dead hub, or online again for itself
    // after it was taken for dead. Only this hub heard of it (HERE): it sends their tiles (and
    // tells the others, `class.tiles.touched`, that it did), whatever it sent of them last: the
    // dead hub, or the hub that swept this one, sent them since.
    this.events.on('devices.presence.marked', ({ devices }) => {
      const deviceIds = devices.map(({ deviceId }) => deviceId);
      for (const deviceId of deviceIds) {
        for (const classId of this.classesOfDevice.get(deviceId) ?? []) {
          this.followed.get(classId)?.sent.delete(deviceId);
        }
      }
      this.touch(deviceIds, HERE);
    });
    // A group's members change on the hub that took the request; the classes over it are
    // followed on every hub of a cluster, so the change goes to each (a cluster event).
    this.events.on('group.members.changed', ({ groupId }) =>
      this.events.emit('class.tablets.changed', { groupId }),
    );
    this.events.on('class.tablets.changed', (change, origin) =>
      'classId' in change
        ? this.tabletsChanged(change.classId, heardFrom(origin))
        : this.refreshGroup(change.groupId, heardFrom(origin)),
    );
    // Emitted by `sessionChanged`, which has marked this hub's tiles already.
    this.events.on('class.session.changed', ({ classId, absent }, origin) =>
      origin === 'peer' ? this.absencesChangedElsewhere(classId, new Set(absent)) : undefined,
    );
    this.events.on('class.tiles.touched', ({ deviceIds }, origin) =>
      origin === 'peer' ? this.touchedElsewhere(deviceIds) : undefined,
    );
    const cluster = this.config.cluster;
    if (cluster) {
      this.events.on('classes.watched', ({ hubId, classIds }, origin) =>
        origin === 'peer' ? this.watchedOn(hubId, classIds) : undefined,
      );
      // Said again on each heartbeat: a hub that started since hears it, and one that died
      // (silent for HUB_CLUSTER_DEAD_AFTER_MS) stops being followed for.
      this.beatTimer = setInterval(() => this.beat(cluster.deadAfterMs), cluster.heartbeatMs);
      this.beatTimer.unref();
    }
  }

  /** In a cluster: says which classes this hub's consoles watch (none yet), once joined. */
  onApplicationBootstrap(): void {
    if (this.config.cluster) {
      this.announceWatched();
    }
  }

  onModuleDestroy(): void {
    if (this.beatTimer) {
      clearInterval(this.beatTimer);
      this.beatTimer = null;
    }
  }

  /** Calls `listener` with every tile of a followed class that changes. */
  onTile(listener: TileListener): () => void {
    this.tileListeners.add(listener);
    return () => this.tileListeners.delete(listener);
  }

  /**
   * Calls `listener` when a class followed here has its tablets changed (`tabletsChanged`). In a
   * cluster every hub that follows the class calls it, once its own tiles follow the new
   * tablets: a listener tells this hub's own watchers only.
   */
  onTablets(listener: TabletsListener): () => void {
    this.tabletsListeners.add(listener);
    return () => this.tabletsListeners.delete(listener);
  }

  /** Calls `listener` when a class's session starts or ends. */
  onSession(listener: SessionListener): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  /**
   * The tiles of a class now, sorted by name. `absent` is the running session's absences (none
   * when no session runs).
   */
  async tilesOf(
    entity: Pick<ClassEntity, 'id' | 'groupId'>,
    absent: ReadonlySet<string>,
  ): Promise<ClassTile[]> {
    const deviceIds = await this.classes.deviceIdsOf(entity);
    const tiles = await this.readTiles(deviceIds, () => absent);
    return [...tiles.values()].sort(byName);
  }

  /**
   * Follows a class for a watcher on this hub (once per watching socket): its tiles are sent as
   * they change until `unfollow` is called as often.
   */
  async follow(
    entity: Pick<ClassEntity, 'id' | 'groupId'>,
    absent: ReadonlySet<string>,
  ): Promise<ClassTile[]> {
    let counted = false;
    try {
      return await this.startFollowing(entity, absent, (followed) => {
        followed.watchers += 1;
        counted = true;
        if (followed.watchers === 1 && this.config.cluster) {
          this.announceWatched();
        }
      });
    } catch (error) {
      // Only a watch that was counted is given up: a failure before that took nothing.
      if (counted) {
        this.unfollow(entity.id);
      }
      throw error;
    }
  }

  /**
   * Follows a class (`mark` says why: a watcher here, one on another hub), then reads its tiles. The
   * devices are followed before the read, so a change during the read marks its tile to be sent
   * again; a tile already sent to the class's room is newer than the read and is kept as sent.
   */
  private async startFollowing(
    entity: Pick<ClassEntity, 'id' | 'groupId'>,
    absent: ReadonlySet<string>,
    mark: (followed: FollowedClass) => void,
  ): Promise<ClassTile[]> {
    const deviceIds = await this.classes.deviceIdsOf(entity);
    let followed = this.followed.get(entity.id);
    if (!followed) {
      followed = {
        deviceIds: new Set(),
        absent: new Set(absent),
        sent: new Map(),
        watchers: 0,
        peers: new Set(),
      };
      this.followed.set(entity.id, followed);
    }
    mark(followed);
    this.setDevices(entity.id, followed, deviceIds);
    const tiles = [...(await this.readTiles(deviceIds, () => absent)).values()].sort(byName);
    for (const tile of tiles) {
      if (!followed.sent.has(tile.deviceId)) {
        followed.sent.set(tile.deviceId, JSON.stringify(tile));
      }
    }
    return tiles;
  }

  unfollow(classId: string): void {
    const followed = this.followed.get(classId);
    if (!followed) {
      return;
    }
    followed.watchers = Math.max(0, followed.watchers - 1);
    if (followed.watchers === 0) {
      if (this.config.cluster) {
        this.announceWatched();
      }
      if (followed.peers.size === 0) {
        this.forget(classId, followed);
      }
    }
  }

  /**
   * A class's session started or ended, or its absences changed: watchers hear of the session,
   * and every tile of the class is checked again (absent marks reset with a new session), here
   * and on every other hub of a cluster (`class.session.changed`).
   */
  async sessionChanged(
    entity: Pick<ClassEntity, 'id' | 'groupId'>,
    session: ClassSession | null,
    absent: ReadonlySet<string>,
  ): Promise<void> {
    if (session) {
      for (const listener of this.sessionListeners) {
        listener(entity.id, session);
      }
    }
    await this.absencesChanged(entity, absent, SHARED);
    this.events.emit('class.session.changed', { classId: entity.id, absent: [...absent] });
  }

  private async absencesChanged(
    entity: Pick<ClassEntity, 'id' | 'groupId'>,
    absent: ReadonlySet<string>,
    heard: Heard,
  ): Promise<void> {
    const followed = this.followed.get(entity.id);
    if (!followed) {
      return;
    }
    followed.absent = new Set(absent);
    this.setDevices(entity.id, followed, await this.classes.deviceIdsOf(entity));
    this.touch([...followed.deviceIds], heard);
  }

  /**
   * Another hub heard of these tiles' change alone (`class.tiles.touched`): this hub sends the
   * tiles of its own tablets; another hub sent the rest, so what this one sent last is forgotten.
   */
  private touchedElsewhere(deviceIds: readonly string[]): void {
    const here: string[] = [];
    for (const deviceId of deviceIds) {
      if (this.devices.isConnected(deviceId)) {
        here.push(deviceId);
      } else {
        for (const classId of this.classesOfDevice.get(deviceId) ?? []) {
          this.followed.get(classId)?.sent.delete(deviceId);
        }
      }
    }
    this.touch(here, PEER);
  }

  /** Another hub changed a class's session or absences (`class.session.changed`). */
  private async absencesChangedElsewhere(classId: string, absent: ReadonlySet<string>) {
    const record = this.followed.has(classId) ? await this.classes.find(classId) : null;
    if (record) {
      await this.absencesChanged(record.entity, absent, PEER);
    }
  }

  /**
   * Marks these devices' tiles to be read again and sent if they changed (batched per tick).
   * `heard` (default: only this hub heard of the change) decides in a cluster which hub sends.
   */
  touch(deviceIds: readonly string[], heard: Heard = HERE): void {
    let any = false;
    for (const deviceId of deviceIds) {
      if (this.classesOfDevice.has(deviceId)) {
        this.dirty.set(deviceId, Math.max(this.dirty.get(deviceId) ?? PEER, heard) as Heard);
        any = true;
      }
    }
    if (any) {
      this.scheduleFlush();
    }
  }

  private scheduleFlush(): void {
    if (this.flushing) {
      this.flushQueued = true;
      return;
    }
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush())
      .catch((error: unknown) => this.logger.error(`Class tiles not sent: ${String(error)}`))
      .finally(() => {
        this.flushing = null;
        if (this.flushQueued || this.dirty.size > 0) {
          this.flushQueued = false;
          if (this.dirty.size > 0) {
            this.scheduleFlush();
          }
        }
      });
  }

  private async flush(): Promise<void> {
    const heard = new Map(this.dirty);
    this.dirty.clear();
    if (heard.size === 0 || this.tileListeners.size === 0) {
      return;
    }
    // A device in several followed classes is read once; its absence differs per class.
    const { rows, open, camera, trips } = await this.readRows([...heard.keys()]);
    const forward: string[] = [];
    for (const row of rows) {
      // On its own a hub sends every tile that changed; in a cluster one hub sends each.
      const how = heard.get(row.id) ?? HERE;
      const sender = this.config.cluster ? this.senderHere(row, how) : 'holder';
      let sentHere = false;
      for (const classId of this.classesOfDevice.get(row.id) ?? []) {
        const followed = this.followed.get(classId);
        if (!followed) {
          continue;
        }
        if (sender === 'forward' || sender === 'other') {
          // Another hub sends it: what this one sent last is no guide to what watchers have.
          followed.sent.delete(row.id);
          continue;
        }
        const tile = toClassTile(
          row,
          this.devices.shownOnline(row),
          this.reported.get(row.id) ?? null,
          open.get(row.id) ?? 0,
          followed.absent.has(row.id),
          camera.get(row.id) ?? null,
          trips.get(row.id) ?? null,
        );
        const json = JSON.stringify(tile);
        if (followed.sent.get(row.id) === json) {
          continue;
        }
        followed.sent.set(row.id, json);
        sentHere = true;
        for (const listener of this.tileListeners) {
          listener(classId, tile);
        }
      }
      // The other hubs did not hear of this change: the tablet's hub is told to send its tile,
      // and for a tablet on no hub, the others that this one sent it.
      if (sender === 'forward' || (sender === 'origin' && how === HERE && sentHere)) {
        forward.push(row.id);
      }
    }
    if (forward.length > 0) {
      this.events.emit('class.tiles.touched', { deviceIds: forward });
    }
  }

  /**
   * In a cluster, whether this hub sends a device's changed tile, so that each watcher gets it
   * once (issue 10): `holder` when the device is connected here (its report and presence are
   * this hub's, the freshest); `origin` when it is connected to no hub and this hub heard of the
   * change first-hand; `other` when another hub sends it (the device's, or the one that heard of
   * it first-hand); `forward` when it is connected to another hub, which did not hear of the
   * change: it is told (`class.tiles.touched`) and sends it. A hub sends a tile only when it
   * differs from the last it sent, and forgets that one whenever another hub sends the tile.
   */
  private senderHere(row: TileDeviceRow, heard: Heard): 'holder' | 'origin' | 'other' | 'forward' {
    if (this.devices.isConnected(row.id)) {
      return 'holder';
    }
    if (this.devices.shownOnline(row)) {
      return heard === HERE ? 'forward' : 'other';
    }
    return heard === PEER ? 'other' : 'origin';
  }

  /**
   * The devices' rows, open lock-type commands and class camera allowances, read in one unit of
   * work (issue 12: on SQLite one wait in the queue, not several, between a report and its tile).
   */
  private readRows(deviceIds: readonly string[]): Promise<{
    rows: TileDeviceRow[];
    open: Map<string, number>;
    camera: Map<string, string>;
    trips: Map<string, { tripId: string; name: string }>;
  }> {
    return this.tx.run(async (tx) => ({
      rows: await this.classes.tileRows(deviceIds, tx),
      open: await this.commands.openCountsByDevice(deviceIds, TILE_COMMAND_TYPES, tx),
      camera: await this.overlays.classCameraUntil(deviceIds, tx),
      trips: await this.classes.onTripForUpdate(tx, deviceIds, false),
    }));
  }

  private async readTiles(
    deviceIds: readonly string[],
    absentOf: () => ReadonlySet<string>,
  ): Promise<Map<string, ClassTile>> {
    const tiles = new Map<string, ClassTile>();
    if (deviceIds.length === 0) {
      return tiles;
    }
    const { rows, open, camera, trips } = await this.readRows(deviceIds);
    const absent = absentOf();
    for (const row of rows) {
      tiles.set(
        row.id,
        toClassTile(
          row,
          this.devices.shownOnline(row),
          this.reported.get(row.id) ?? null,
          open.get(row.id) ?? 0,
          absent.has(row.id),
          camera.get(row.id) ?? null,
          trips.get(row.id) ?? null,
        ),
      );
    }
    return tiles;
  }

  private setDevices(classId: string, followed: FollowedClass, deviceIds: readonly string[]) {
    const now = new Set(deviceIds);
    for (const deviceId of followed.deviceIds) {
      if (!now.has(deviceId)) {
        this.unindex(deviceId, classId);
        followed.sent.delete(deviceId);
      }
    }
    for (const deviceId of now) {
      let classes = this.classesOfDevice.get(deviceId);
      if (!classes) {
        classes = new Set();
        this.classesOfDevice.set(deviceId, classes);
      }
      classes.add(classId);
    }
    followed.deviceIds = now;
  }

  private unindex(deviceId: string, classId: string): void {
    const classes = this.classesOfDevice.get(deviceId);
    classes?.delete(classId);
    if (classes && classes.size === 0) {
      this.classesOfDevice.delete(deviceId);
    }
  }

  private forget(classId: string, followed: FollowedClass): void {
    for (const deviceId of followed.deviceIds) {
      this.unindex(deviceId, classId);
    }
    this.followed.delete(classId);
  }

  /** A group's members changed: the followed classes over it get their new devices. */
  private async refreshGroup(groupId: string, heard: Heard): Promise<void> {
    for (const [classId, followed] of [...this.followed]) {
      const record = await this.classes.find(classId);
      if (record && record.entity.groupId === groupId) {
        await this.refreshTablets(record.entity, followed, heard);
      }
    }
  }

  /**
   * A class's own tablets changed (ICT changed its named devices or its group; the
   * `class.tablets.changed` event, from any hub of a cluster): if it is followed here, its
   * watchers get the tiles of the tablets that joined, and are told to read the grid again, as
   * when its group's members change.
   */
  async tabletsChanged(classId: string, heard: Heard = SHARED): Promise<void> {
    const followed = this.followed.get(classId);
    const record = followed ? await this.classes.find(classId) : null;
    if (followed && record) {
      await this.refreshTablets(record.entity, followed, heard);
    }
  }

  /**
   * Follows the class's tablets as they are now, sends the tiles of those that joined, and tells
   * its watchers (`onTablets`): a tablet that left is in no tile event, so only a new read of
   * the grid takes it off.
   */
  private async refreshTablets(
    entity: Pick<ClassEntity, 'id' | 'groupId'>,
    followed: FollowedClass,
    heard: Heard,
  ): Promise<void> {
    const ids = await this.classes.deviceIdsOf(entity);
    const joined = ids.filter((id) => !followed.deviceIds.has(id));
    this.setDevices(entity.id, followed, ids);
    this.touch(joined, heard);
    for (const listener of this.tabletsListeners) {
      listener(entity.id);
    }
  }

  /**
   * In a cluster, on each heartbeat: forgets the watches of hubs silent for `deadAfterMs` (a hub
   * that died), and says again which classes this hub's consoles watch.
   */
  private beat(deadAfterMs: number): void {
    const now = Date.now();
    for (const [hubId, heard] of this.watchedElsewhere) {
      if (now - heard.heardAt > deadAfterMs) {
        this.watchedElsewhere.delete(hubId);
        heard.classIds.forEach((classId) => this.unfollowFor(classId, hubId));
      }
    }
    this.announceWatched();
  }

  /** Tells the other hubs (`classes.watched`, once a tick) every class watched here now. */
  private announceWatched(): void {
    if (this.announcing) {
      return;
    }
    this.announcing = true;
    setImmediate(() => {
      this.announcing = false;
      const classIds = [...this.followed].filter(([, f]) => f.watchers > 0).map(([id]) => id);
      this.events.emit('classes.watched', { hubId: this.instance.id, classIds });
    });
  }

  /**
   * Hub `hubId` said which classes its consoles watch: this hub follows them too, and stops
   * following those it no longer names. A hub heard from for the first time (one that has just
   * started) is told at once what this hub's consoles watch.
   */
  private async watchedOn(hubId: string, classIds: readonly string[]): Promise<void> {
    const before = this.watchedElsewhere.get(hubId);
    if (!before) {
      this.announceWatched();
    }
    const now = new Set(classIds);
    this.watchedElsewhere.set(hubId, { classIds: now, heardAt: Date.now() });
    for (const classId of before?.classIds ?? []) {
      if (!now.has(classId)) {
        this.unfollowFor(classId, hubId);
      }
    }
    for (const classId of now) {
      if (!before?.classIds.has(classId)) {
        await this.followFor(classId, hubId);
      }
    }
  }

  /**
   * Follows a class that a console on hub `hubId` watches, and sends the tiles of its tablets
   * connected here, read afresh: that console read them from their rows, which this hub writes a
   * moment after it hears a report, and this hub did not send what changed before it followed.
   */
  private async followFor(classId: string, hubId: string): Promise<void> {
    const stillWatched = () => this.watchedElsewhere.get(hubId)?.classIds.has(classId) === true;
    try {
      const record = await this.classes.find(classId);
      if (!record || this.followed.get(classId)?.peers.has(hubId)) {
        return;
      }
      const session = await this.classes.runningSession(classId);
      const absent = session ? await this.classes.absentDeviceIds(session.id) : new Set<string>();
      await this.startFollowing(record.entity, absent, (followed) => {
        if (stillWatched()) {
          followed.peers.add(hubId);
        }
      });
      const followed = this.followed.get(classId);
      if (!followed) {
        return;
      }
      if (followed.watchers === 0 && followed.peers.size === 0) {
        // That hub's console let go of the class while it was read.
        this.forget(classId, followed);
        return;
      }
      const here = [...followed.deviceIds].filter((id) => this.devices.isConnected(id));
      here.forEach((id) => followed.sent.delete(id));
      this.touch(here, PEER);
    } catch (error) {
      this.logger.error(`A class watched on another hub is not followed: ${String(error)}`);
    }
  }

  /** Hub `hubId`'s consoles no longer watch the class: followed while someone else does. */
  private unfollowFor(classId: string, hubId: string): void {
    const followed = this.followed.get(classId);
    if (followed?.peers.delete(hubId) && followed.peers.size === 0 && followed.watchers === 0) {
      this.forget(classId, followed);
    }
  }
}
