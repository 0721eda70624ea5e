// Everything that turns the Nest application into the hub, shared by main.ts and the tests:
// prefix, pipes, filters, request context, API description, shutdown hooks.
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { buildOpenApiDocument } from './api-docs/openapi';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { HUB_CONFIG, HubConfig } from './config/hub-config';
import { serveConsole } from './console/console-files';
import { requestIdFor, runWithRequestContext } from './common/request-context';
import {
  explainUnreadableJson,
  refuseBodiesThatAreNotJson,
  refuseJsonThatIsNotUtf8,
} from './common/json-bodies.middleware';
import { refuseBrokenEscapes, refuseUnsafeInput } from './common/unsafe-input.middleware';
import { createValidationPipe } from './common/validation';
import { runAsBackgroundWork } from './database/transaction-runner';

/** The routes a device calls with photos (protocol section 5), under the /api prefix. */
const PHOTO_DEVICE_ROUTES = ['/api/photos/uploads', '/api/photos/receipts'];

export function configureHub(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api');
  // Runs before pino-http (module middleware is mounted later), so it assigns the request id.
  app.use((request: Request & { id?: unknown }, response: Response, next: NextFunction) => {
    runWithRequestContext({ correlationId: requestIdFor(request, response) }, next);
  });
  // Before any route matches: a path that is not valid percent-encoded UTF-8 is a 400 in words.
  app.use(refuseBrokenEscapes);
  // A photo's upload and its receipts are a device's background traffic: on SQLite their
  // database work waits while a person's request waits (issue 14: a class lock during an ingest).
  app.use(PHOTO_DEVICE_ROUTES, (_request: Request, _response: Response, next: NextFunction) =>
    runAsBackgroundWork(next),
  );
  // The same parsers Nest would mount (it skips its own when these are present), mounted here so
  // that the check on what they parsed runs before every route (issue 8 items 18 and 19).
  const express = app as NestExpressApplication;
  // 1 MB: the longest body a route takes is an AUP text of 200,000 characters (up to 800 KB as
  // UTF-8); anything larger gets 413.
  // JSON only: a form or a text body is a 415, not read as if it were JSON (json-bodies.middleware).
  app.use(refuseBodiesThatAreNotJson([...PHOTO_DEVICE_ROUTES, '/api/assets/import']));
  express.useBodyParser('json', { limit: '1mb', verify: refuseJsonThatIsNotUtf8 });
  app.use(explainUnreadableJson);
  express.useBodyParser('urlencoded', { extended: true });
  app.use(refuseUnsafeInput);
  // The staff console at / (its files and its page routes); /api and Socket.IO pass by.
  serveConsole(express, app.get<HubConfig>(HUB_CONFIG).consoleDir);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  // SIGTERM (systemd stop) and SIGINT (Ctrl-C) close the hub cleanly. Not SIGHUP, which Nest
  // would also take by default: that reloads the TLS certificate (`systemctl reload`).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
