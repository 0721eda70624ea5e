// The teacher's grid (issue 12): one tile per tablet of a class, and the live view that sends a
// watching console `class.tile` whenever a tile changes (online, locked, app, battery, absent,
// pending). Device events from the in-process bus mark tiles dirty; the dirty tiles of one tick
// are read with one query per kind (rows, open commands) and only tiles that changed are sent.
// A class is followed while someone on this hub watches it; in a cluster (issue 10) also while
// it has a running session, so that a hub holding some of its tablets sends their tiles to the
// watchers on every hub through the Redis adapter. A change of a class's tablets reaches every
// hub (`class.tablets.changed`, a cluster event), and each follows the new tablets itself.
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ClassSession, ClassTile } from '@app/hub-api';
import { HubEvents } from '../common/hub-events';
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
  watchers: number;
  /** Followed because a session runs (cluster), not only because someone watches. */
  running: boolean;
}

export type TileListener = (classId: string, tile: ClassTile) => void;
export type SessionListener = (classId: string, session: ClassSession) => void;
export type TabletsListener = (classId: string) => void;

/** How often a hub in a cluster looks for sessions started on other hubs. */
const CLUSTER_REFRESH_MS = 5000;

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
export class ClassTilesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ClassTilesService.name);
  private readonly followed = new Map<string, FollowedClass>();
  private readonly classesOfDevice = new Map<string, Set<string>>();
  private readonly reported = new Map<string, ReportedBits>();
  /**
   * Devices whose reports are no longer this hub's to keep: revoked, or (in a cluster) connected
   * to another hub since they were last here. A report of theirs still being read is dropped.
   */
  private readonly notReportingHere = new Set<string>();
  private readonly dirty = new Set<string>();
  private flushing: Promise<void> | null = null;
  private flushQueued = false;
  private readonly tileListeners = new Set<TileListener>();
  private readonly sessionListeners = new Set<SessionListener>();
  private readonly tabletsListeners = new Set<TabletsListener>();
  private refreshTimer: NodeJS.Timeout | null = null;

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
    const touch = ({ deviceId }: { deviceId: string }) => this.touch([deviceId]);
    this.events.on('device.connected', touch);
    this.events.on('device.disconnected', touch);
    this.events.on('command.updated', touch);
    this.events.on('command.answered', touch);
    this.events.on('commands.queued', ({ deviceIds }) => this.touch(deviceIds));
    this.events.on('overlays.expired', ({ deviceIds }) => this.touch(deviceIds));
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
      this.touch([deviceId]);
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
        }
      }
    });
    this.events.on('device.connected', ({ deviceId }) => {
      this.notReportingHere.delete(deviceId);
    });
    // A group's members change on the hub that took the request; the classes over it are
    // followed on every hub of a cluster, so the change goes to each (a cluster event).
    this.events.on('group.members.changed', ({ groupId }) =>
      this.events.emit('class.tablets.changed', { groupId }),
    );
    this.events.on('class.tablets.changed', (change) =>
      'classId' in change ? this.tabletsChanged(change.classId) : this.refreshGroup(change.groupId),
    );
    if (this.config.cluster) {
      this.refreshTimer = setInterval(() => void this.followRunning(), CLUSTER_REFRESH_MS);
      this.refreshTimer.unref();
      void this.followRunning();
    }
  }

  onModuleDestroy(): void {
    if (this.refreshTimer) {
      clearInterval(this.refreshTimer);
      this.refreshTimer = null;
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
   * Follows a class (`mark` says why: a watcher, a running session), then reads its tiles. The
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
        running: false,
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
    if (followed.watchers === 0 && !followed.running) {
      this.forget(classId, followed);
    }
  }

  /**
   * A class's session started or ended, or its absences changed: watchers hear of the session,
   * and every tile of the class is checked again (absent marks reset with a new session).
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
    const followed = this.followed.get(entity.id);
    if (!followed) {
      return;
    }
    followed.absent = new Set(absent);
    this.setDevices(entity.id, followed, await this.classes.deviceIdsOf(entity));
    this.touch([...followed.deviceIds]);
  }

  /** Marks these devices' tiles to be read again and sent if they changed (batched per tick). */
  touch(deviceIds: readonly string[]): void {
    let any = false;
    for (const deviceId of deviceIds) {
      if (this.classesOfDevice.has(deviceId)) {
        this.dirty.add(deviceId);
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
    const deviceIds = [...this.dirty];
    this.dirty.clear();
    if (deviceIds.length === 0 || this.tileListeners.size === 0) {
      return;
    }
    // A device in several followed classes is read once; its absence differs per class.
    const { rows, open, camera, trips } = await this.readRows(deviceIds);
    for (const row of rows) {
      for (const classId of this.classesOfDevice.get(row.id) ?? []) {
        const followed = this.followed.get(classId);
        if (!followed) {
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
        for (const listener of this.tileListeners) {
          listener(classId, tile);
        }
      }
    }
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
  private async refreshGroup(groupId: string): Promise<void> {
    for (const [classId, followed] of [...this.followed]) {
      const record = await this.classes.find(classId);
      if (record && record.entity.groupId === groupId) {
        await this.refreshTablets(record.entity, followed);
      }
    }
  }

  /**
   * A class's own tablets changed (ICT changed its named devices or its group; the
   * `class.tablets.changed` event, from any hub of a cluster): if it is followed here, its
   * watchers get the tiles of the tablets that joined, and are told to read the grid again, as
   * when its group's members change.
   */
  async tabletsChanged(classId: string): Promise<void> {
    const followed = this.followed.get(classId);
    const record = followed ? await this.classes.find(classId) : null;
    if (followed && record) {
      await this.refreshTablets(record.entity, followed);
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
  ): Promise<void> {
    const ids = await this.classes.deviceIdsOf(entity);
    this.setDevices(entity.id, followed, ids);
    this.touch(ids);
    for (const listener of this.tabletsListeners) {
      listener(entity.id);
    }
  }

  /** In a cluster: follow every class with a running session, wherever it was started. */
  private async followRunning(): Promise<void> {
    try {
      const running = await this.classes.allRunning();
      const runningIds = new Set(running.map((s) => s.classId));
      for (const session of running) {
        if (this.followed.get(session.classId)?.running) {
          continue;
        }
        const record = await this.classes.find(session.classId);
        if (!record) {
          continue;
        }
        const absent = await this.classes.absentDeviceIds(session.id);
        await this.startFollowing(record.entity, absent, (f) => (f.running = true));
      }
      for (const [classId, followed] of this.followed) {
        if (followed.running && !runningIds.has(classId)) {
          followed.running = false;
          if (followed.watchers === 0) {
            this.forget(classId, followed);
          }
        }
      }
    } catch (error) {
      this.logger.error(`Running classes not read: ${String(error)}`);
    }
  }
}
