// Boots the hub: private files, validated configuration, the port held, migrations (run by the
// database module), the first admin, listen (HTTP, or HTTPS with HUB_TLS_*), then say where.
import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import type { Server as TlsServer } from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import { AppModule } from './app.module';
import { configureHub } from './bootstrap';
import { RedisIoAdapter } from './cluster/redis-io.adapter';
import { describeAddresses, hubAddresses } from './config/addresses';
import { databaseFileRefusal, prepareDataDir } from './config/data-dir';
import { ConfigError, HUB_CONFIG, HubConfig, loadHubConfig } from './config/hub-config';
import { CertificateAuthority } from './enrollment/certificate-authority';

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

/**
 * Keeps the hub running when the reader of its output goes away (`| head -1`, a log collector
 * restarting): a write to the closed pipe fails with EPIPE, which Node raises as an `error` event
 * on process.stdout or stderr and, unhandled, ends the process, in the middle of serving. The
 * lines are dropped instead (pino's own log stream does the same with its EPIPE). Any other
 * error of the two streams is thrown as before.
 */
function dropOutputWithoutReader(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') {
        throw error;
      }
    });
  }
}

/**
 * Makes the Nest application and starts its modules: the database and its migrations, the CA,
 * the AUP, the cluster's Redis adapter.
 *
 * @throws ConfigError naming the database's setting and file when SQLite meets a full disk (its
 *   SQLITE_FULL names neither); a module's own error otherwise
 */
async function createHub(checked: HubConfig): Promise<INestApplication> {
  try {
    // With HUB_TLS_CERT and HUB_TLS_KEY the one port serves HTTPS and, through it, WSS.
    const app = await NestFactory.create(AppModule, {
      bufferLogs: true,
      // A module that cannot start (the database unreachable, HUB_DB naming no database) throws
      // here, so the start fails with the one-line message below rather than Nest's stack trace.
      abortOnError: false,
      ...(checked.tls ? { httpsOptions: { cert: checked.tls.cert, key: checked.tls.key } } : {}),
    });
    configureHub(app);
    const config = app.get<HubConfig>(HUB_CONFIG);
    if (config.cluster) {
      // One cluster with the other hubs on this Redis (issue 10): set before the gateways start.
      app.useWebSocketAdapter(await RedisIoAdapter.connect(app, config.cluster));
    }
    await app.init();
    return app;
  } catch (error) {
    throw databaseFileRefusal(checked, error) ?? error;
  }
}

async function main(): Promise<void> {
  dropOutputWithoutReader();
  // Everything the hub creates is for its own user only: the database, the WAL, the CA
  // (issue 8 item 15). Files from older installs are fixed at start (config/data-dir.ts).
  process.umask(0o077);
  // Validate before Nest starts, so a bad setting gives one clear line and nothing else.
  // eslint-disable-next-line no-restricted-properties -- the same check HubConfigModule makes
  const checked = loadHubConfig(process.env);
  const holder = await holdPort(checked.port, checked.host);
  // Here as well as in the database module (which the tests and the admin commands start
  // without this file): a data dir or database file the hub cannot use stops the start with
  // one line naming its setting, before Nest, which would print its stack trace first.
  prepareDataDir(checked);
  const app = await createHub(checked);
  const config = app.get<HubConfig>(HUB_CONFIG);
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
  if (config.tls) {
    reloadCertificateOnHangUp(server as TlsServer);
  }
  announce(config, (server.address() as net.AddressInfo).port, app.get(CertificateAuthority));
}

/**
 * Says where the hub can be reached, as one structured log line and as plain lines for the
 * person who started it: the URLs devices on the network can use (not only localhost), or that
 * HUB_HOST keeps it to this machine, and the CA fingerprint an agent is given at enrolment.
 */
function announce(config: HubConfig, port: number, ca: CertificateAuthority): void {
  const scheme = config.tls ? 'https' : 'http';
  const addresses = hubAddresses(config.host, port, scheme, os.networkInterfaces());
  const caFingerprint = ca.certificateFingerprint;
  new Logger('Hub').log({
    msg: 'Hub listening',
    host: config.host,
    port,
    tls: config.tls !== null,
    local: addresses.local,
    network: addresses.network,
    loopbackOnly: addresses.loopbackOnly,
    caFingerprint,
  });
  process.stdout.write(
    [
      `Hub listening on ${addresses.local} (data in ${config.dataDir})`,
      ...describeAddresses(addresses, config.host),
      `CA fingerprint (SHA-256, for device-agent --ca-fingerprint): ${caFingerprint}`,
      '',
    ].join('\n'),
  );
}

/**
 * SIGHUP reads HUB_TLS_CERT and HUB_TLS_KEY again and serves the new pair to new connections,
 * so a renewed certificate needs no restart (`systemctl reload classroom-hub`). A pair that does
 * not load is refused and the old one kept.
 */
function reloadCertificateOnHangUp(server: TlsServer): void {
  const logger = new Logger('Hub');
  process.on('SIGHUP', () => {
    try {
      // eslint-disable-next-line no-restricted-properties -- the same check as at start
      const tls = loadHubConfig(process.env).tls;
      if (!tls) {
        throw new ConfigError('HUB_TLS_CERT', 'is no longer set; keeping the certificate in use');
      }
      server.setSecureContext({ cert: tls.cert, key: tls.key });
      logger.log(`Reloaded the TLS certificate from ${tls.certFile}`);
    } catch (error) {
      logger.error(`Kept the TLS certificate in use: ${(error as Error).message}`);
    }
  });
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
