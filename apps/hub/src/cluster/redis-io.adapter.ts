// Joins this hub's Socket.IO server to the other hubs of its cluster (HUB_REDIS, issue 10):
// Socket.IO's Redis adapter under both namespaces (/device and /staff), so a room emit, a
// `disconnectSockets` or a server-side event on one hub reaches the sockets of every hub.
import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Server, ServerOptions } from 'socket.io';
import { ConfigError, HubCluster, redactUrl } from '../config/hub-config';

type RedisClient = ReturnType<typeof createClient>;

/** How long the hub waits for Redis at start before it stops with a message. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Nest's Socket.IO adapter with the Redis adapter under every namespace. Create it with
 * {@link RedisIoAdapter.connect}; Nest calls `dispose()` when the app closes, after the Socket.IO
 * server has closed, and that closes the Redis connections. (No method is named `close`: Nest
 * calls `IoAdapter.close(server)` to close the server itself.)
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly logger = new Logger(RedisIoAdapter.name);

  private constructor(
    app: INestApplicationContext,
    private readonly pub: RedisClient,
    private readonly sub: RedisClient,
    private readonly adapter: ReturnType<typeof createAdapter>,
  ) {
    super(app);
  }

  /**
   * Connects to the cluster's Redis (a publishing and a subscribing connection).
   *
   * @throws ConfigError naming HUB_REDIS when Redis does not answer within 10 s
   */
  static async connect(app: INestApplicationContext, cluster: HubCluster): Promise<RedisIoAdapter> {
    const logger = new Logger(RedisIoAdapter.name);
    const pub = createClient({ url: cluster.redisUrl });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) {
      // Redis going away is logged (the client reconnects by itself), never an uncaught error.
      client.on('error', (error: unknown) =>
        logger.error(
          `Redis (HUB_REDIS): ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all([pub.connect(), sub.connect()]),
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new ConfigError(
                  'HUB_REDIS',
                  `no answer from ${redactUrl(cluster.redisUrl)} within ${CONNECT_TIMEOUT_MS / 1000} s`,
                ),
              ),
            CONNECT_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      pub.destroy();
      sub.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const adapter = createAdapter(pub, sub, { key: cluster.redisPrefix });
    return new RedisIoAdapter(app, pub, sub, adapter);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(this.adapter);
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    for (const client of [this.pub, this.sub]) {
      try {
        await client.quit();
      } catch (error) {
        this.logger.warn(`Redis connection not closed cleanly: ${String(error)}`);
      }
    }
  }
}
