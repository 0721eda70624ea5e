// Boots the hub: validated configuration, migrations (run by the database module), listen.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { AppModule } from './app.module';
import { configureHub } from './bootstrap';
import { ConfigError, HUB_CONFIG, HubConfig, loadHubConfig } from './config/hub-config';

async function main(): Promise<void> {
  // Validate before Nest starts, so a bad setting gives one clear line and nothing else.
  // eslint-disable-next-line no-restricted-properties -- the same check HubConfigModule makes
  loadHubConfig(process.env);
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  configureHub(app);
  const config = app.get<HubConfig>(HUB_CONFIG);
  await app.init();
  // app.listen() would flush the logs buffered during start-up; listening ourselves, we must.
  app.flushLogs();
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
