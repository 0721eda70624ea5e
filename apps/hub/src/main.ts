// Boots the hub: private files, validated configuration, the port held, migrations (run by the
// database module), the first admin, listen.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import * as net from 'node:net';
import { AppModule } from './app.module';
import { configureHub } from './bootstrap';
import { ConfigError, HUB_CONFIG, HubConfig, loadHubConfig } from './config/hub-config';

/**
 * Binds the hub's port before anything else happens (issue 8 item 20): a port in use must stop
 * the start before migrations run and before the first admin is created and its password
 * printed. The port stays held through start-up and is handed over just before the hub listens.
 * Port 0 (any free port) needs no check.
 *
 * @throws ConfigError naming HUB_PORT when the port is taken or not ours to use
 */
async function holdPort(port: number, host: string): Promise<net.Server | null> {
  if (port === 0) {
    return null;
  }
  // Nothing is served while the port is held: a health probe or a device that connects during
  // start-up is cut off at once (it retries), so no open connection delays the hand-over.
  const holder = net.createServer((socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.listen({ port, host, exclusive: true }, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      'HUB_PORT',
      code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use by another program`
        : code === 'EACCES'
          ? `port ${port} on ${host} needs privileges this user does not have`
          : `cannot listen on port ${port} on ${host}: ${String(error)}`,
    );
  }
  return holder;
}

async function main(): Promise<void> {
  // Everything the hub creates is for its own user only: the database, the WAL, the CA
  // (issue 8 item 15). Files from older installs are fixed at start (config/data-dir.ts).
  process.umask(0o077);
  // Validate before Nest starts, so a bad setting gives one clear line and nothing else.
  // eslint-disable-next-line no-restricted-properties -- the same check HubConfigModule makes
  const checked = loadHubConfig(process.env);
  const holder = await holdPort(checked.port, checked.host);
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  configureHub(app);
  const config = app.get<HubConfig>(HUB_CONFIG);
  await app.init();
  // app.listen() would flush the logs buffered during start-up; listening ourselves, we must.
  app.flushLogs();
  if (holder) {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
  // A deeper accept queue than Node's 511: after a restart every device reconnects at once.
  const server = app.getHttpServer() as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: config.port, host: config.host, backlog: 4096 }, resolve);
  });
  process.stdout.write(
    `Hub listening on http://localhost:${config.port} (data in ${config.dataDir})\n`,
  );
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? error.message
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`The hub could not start: ${message}\n`);
  process.exit(1);
});
