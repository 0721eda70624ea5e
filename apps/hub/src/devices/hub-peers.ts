// How the hubs of a cluster tell each other what each must act on (issue 10): the in-process
// events listed in CLUSTER_EVENTS travel to every other hub as Socket.IO server-side events
// through the Redis adapter of the /device namespace. Events of one tick go as one message, and
// device lists are merged: a class lock of 30 or a policy change to 5,000 devices is one
// message, not one per device. Does nothing on a hub on its own.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import { ClusterEvent, CLUSTER_EVENTS, HubEventMap, HubEvents } from '../common/hub-events';
import { HubInstance } from '../common/hub-instance';
import { HUB_CONFIG, HubConfig } from '../config/hub-config';
import { DeviceConnections, DeviceNamespace } from './device-connections';

/** The one server-side event name the hubs use; its argument is a list of PeerEvent. */
export const PEER_EVENT = 'hub.events';

/** Device lists longer than this are split into several entries of one message. */
const MAX_IDS_PER_MESSAGE = 5000;

export type PeerEvent = {
  [K in ClusterEvent]: { event: K; payload: HubEventMap[K] };
}[ClusterEvent];

type PeerNamespace = Namespace<
  Record<string, never>,
  Record<string, never>,
  { [PEER_EVENT]: (events: PeerEvent[]) => void }
>;

@Injectable()
export class HubPeers {
  private readonly logger = new Logger(HubPeers.name);
  private namespace: PeerNamespace | null = null;
  /** What this tick has to send: device lists merged, anything else in order. */
  private queued = new Set<string>();
  private claimed = new Map<string, number>();
  private others: PeerEvent[] = [];
  private scheduled = false;

  constructor(
    private readonly events: HubEvents,
    private readonly connections: DeviceConnections,
    private readonly instance: HubInstance,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** Joins the cluster through `namespace` (its adapter reaches the other hubs). */
  attach(namespace: DeviceNamespace): void {
    if (!this.config.cluster) {
      return;
    }
    this.namespace = namespace as unknown as PeerNamespace;
    this.namespace.on(PEER_EVENT, (events: PeerEvent[]) => this.receive(events));
    this.events.attachPeers((event, payload) => this.send({ event, payload } as PeerEvent));
    // A device that connected to another hub is dropped here (its older connection).
    this.events.on('devices.claimed', ({ hubId, deviceIds, connectedAt }) => {
      if (hubId !== this.instance.id) {
        this.connections.dropMoved(hubId, deviceIds, connectedAt, this.instance.id);
      }
    });
  }

  private send(message: PeerEvent): void {
    if (message.event === 'commands.queued') {
      message.payload.deviceIds.forEach((id) => this.queued.add(id));
    } else if (message.event === 'devices.claimed' && message.payload.hubId === this.instance.id) {
      message.payload.deviceIds.forEach((id, i) =>
        this.claimed.set(id, Math.max(this.claimed.get(id) ?? 0, message.payload.connectedAt[i])),
      );
    } else {
      this.others.push(message);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch: PeerEvent[] = [...this.others];
    for (const ids of slices([...this.queued])) {
      batch.push({ event: 'commands.queued', payload: { deviceIds: ids } });
    }
    for (const ids of slices([...this.claimed.keys()])) {
      batch.push({
        event: 'devices.claimed',
        payload: {
          hubId: this.instance.id,
          deviceIds: ids,
          connectedAt: ids.map((id) => this.claimed.get(id) ?? 0),
        },
      });
    }
    this.others = [];
    this.queued = new Set();
    this.claimed = new Map();
    if (batch.length > 0 && this.namespace) {
      this.namespace.serverSideEmit(PEER_EVENT, batch);
    }
  }

  private receive(events: unknown): void {
    if (!Array.isArray(events)) {
      return;
    }
    for (const message of events as PeerEvent[]) {
      if (
        typeof message?.event === 'string' &&
        (CLUSTER_EVENTS as readonly string[]).includes(message.event)
      ) {
        try {
          this.events.emitFromPeer(message.event, message.payload as never);
        } catch (error) {
          this.logger.error(`A hub event from another hub failed here: ${String(error)}`);
        }
      }
    }
  }
}

/** `ids` in slices of at most MAX_IDS_PER_MESSAGE (none for an empty list). */
function slices(ids: string[]): string[][] {
  const parts: string[][] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS_PER_MESSAGE) {
    parts.push(ids.slice(i, i + MAX_IDS_PER_MESSAGE));
  }
  return parts;
}
