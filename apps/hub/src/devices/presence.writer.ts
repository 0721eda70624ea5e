// Writes who is online, when each device was last seen and what it last reported, in one
// transaction every few hundred milliseconds: ten thousand devices reconnecting must not mean
// ten thousand separate writes.
//
// In a cluster (HUB_REDIS, issue 10) each device row also names the hub that holds it, and each
// hub keeps a liveness row (`hubs`) that it beats every HUB_CLUSTER_HEARTBEAT_MS. A hub that
// starts, and every live hub on each beat, marks offline the devices of hubs silent for
// HUB_CLUSTER_DEAD_AFTER_MS: a hub that died does not leave its devices shown online for ever.
// The hub whose sweep marked them says so once (`devices.presence.marked`), so that a teacher's
// class tiles and the consoles' device lists show them offline too, not only a page read again.
// A hub on its own marks every device offline at start and at shutdown, as before.
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { HubEvents } from '../common/hub-events';
import { HubInstance } from '../common/hub-instance';
import { HUB_CONFIG, HubCluster, HubConfig } from '../config/hub-config';
import { chunks } from '../database/chunks';
import { TransactionRunner } from '../database/transaction-runner';
import { DeviceConnections } from './device-connections';
import { DevicesRepository, PresenceUpdate, SweptDevice } from './devices.repository';

const FLUSH_MS = 200;

/**
 * Presence updates in one transaction, at most. Each holds SQLite's one connection for about
 * 20 ms here; the 5,000 state reports of a policy change in one transaction held it (and the
 * change's claims behind it) for up to 0.4 s (bench:policy, docs/decisions.md).
 */
const PRESENCE_PER_TRANSACTION = 600;

/** Presence updates in one flush above which the write is background work. */
const BACKGROUND_PRESENCE = 200;

@Injectable()
export class PresenceWriter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceWriter.name);
  private pending = new Map<string, PresenceUpdate>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly cluster: HubCluster | null;
  private heartbeat: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly devices: DevicesRepository,
    private readonly tx: TransactionRunner,
    private readonly connections: DeviceConnections,
    private readonly instance: HubInstance,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) config: HubConfig,
    private readonly events: HubEvents,
  ) {
    this.cluster = config.cluster;
  }

  async onModuleInit(): Promise<void> {
    const cluster = this.cluster;
    if (!cluster) {
      // Nobody is connected to a hub that has just started.
      await this.tx.run((tx) => this.devices.markAllOffline(tx));
      return;
    }
    // Other hubs of the cluster hold their devices: only those of dead hubs go offline.
    const now = this.clock.now();
    const swept = await this.tx.run(async (tx) => {
      await this.devices.addHub(tx, this.instance.id, now);
      return this.devices.sweepDeadHubs(tx, new Date(now.getTime() - cluster.deadAfterMs));
    });
    this.announceSwept(swept);
    this.heartbeat = setInterval(() => {
      this.beating = this.beat(cluster).catch((error: unknown) =>
        this.logger.error(`Hub heartbeat failed: ${String(error)}`),
      );
    }, cluster.heartbeatMs);
    this.heartbeat.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
    await this.beating;
    await this.flush();
    await this.tx.run((tx) =>
      this.cluster
        ? this.devices.leaveCluster(tx, this.instance.id)
        : this.devices.markAllOffline(tx),
    );
  }

  record(update: PresenceUpdate): void {
    const previous = this.pending.get(update.deviceId);
    this.pending.set(update.deviceId, {
      ...previous,
      ...update,
      reportedState: update.reportedState ?? previous?.reportedState,
      reportedAt: update.reportedAt ?? previous?.reportedAt,
    });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
    }
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const updates = [...this.pending.values()];
    this.pending = new Map();
    if (updates.length > 0) {
      const hubId = this.cluster ? this.instance.id : null;
      // Thousands at once (a reconnect storm, the state reports after a policy change) is
      // background work: a person's request goes first on SQLite's queue (issue 12). It is
      // written PRESENCE_PER_TRANSACTION at a time, each part queued when the last is done, so
      // that a fan-out's claims and a teacher's lock wait for one part, not for all.
      const background = updates.length > BACKGROUND_PRESENCE;
      this.flushing = this.flushing.then(async () => {
        for (const part of chunks(updates, PRESENCE_PER_TRANSACTION)) {
          try {
            await this.tx.run((tx) => this.devices.applyPresence(tx, part, hubId), {
              background,
            });
          } catch (error) {
            this.logger.error(`Could not store device presence: ${String(error)}`);
          }
        }
      });
    }
    return this.flushing;
  }

  /**
   * Says this hub is alive and sweeps the devices of dead hubs. A hub found taken for dead (it
   * stalled past the limit, and another marked its devices offline) joins again and records
   * the devices it still holds as online.
   */
  private async beat(cluster: HubCluster): Promise<void> {
    const now = this.clock.now();
    const { rejoined, swept } = await this.tx.run(async (tx) => {
      const alive = await this.devices.beatHub(tx, this.instance.id, now);
      if (!alive) {
        await this.devices.addHub(tx, this.instance.id, now);
      }
      const marked = await this.devices.sweepDeadHubs(
        tx,
        new Date(now.getTime() - cluster.deadAfterMs),
      );
      return { rejoined: !alive, swept: marked };
    });
    this.announceSwept(swept);
    if (rejoined) {
      this.logger.warn('This hub was taken for dead by the cluster; recording its devices again');
      const held = this.connections.connectedIds();
      for (const deviceId of held) {
        this.record({ deviceId, online: true, lastSeenAt: now });
      }
      // Another hub marked them offline and said so to every console: they are online again.
      await this.flush();
      if (held.length > 0) {
        const lastSeenAt = now.toISOString();
        this.events.emit('devices.presence.marked', {
          online: true,
          devices: held.map((deviceId) => ({ deviceId, lastSeenAt })),
        });
      }
    }
  }

  /**
   * Says (`devices.presence.marked`, after the sweep's commit) which devices this hub's sweep
   * marked offline, but for those connected here: a device that reconnected here just before
   * its dead hub was swept has its online write on its way, and is shown online.
   */
  private announceSwept(swept: readonly SweptDevice[]): void {
    const gone = swept.filter(({ deviceId }) => !this.connections.isConnected(deviceId));
    if (gone.length > 0) {
      this.events.emit('devices.presence.marked', { online: false, devices: gone });
    }
  }
}
