// Everything that turns the Nest application into the hub, shared by main.ts and the tests:
// prefix, pipes, filters, request context, API description, shutdown hooks.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { requestIdFor, runWithRequestContext } from './common/request-context';
import { createValidationPipe } from './common/validation';

export function configureHub(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api');
  // Runs before pino-http (module middleware is mounted later), so it assigns the request id.
  app.use((request: Request & { id?: unknown }, response: Response, next: NextFunction) => {
    runWithRequestContext({ correlationId: requestIdFor(request, response) }, next);
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Classroom device hub')
      .setDescription(
        'The school hub for tablets and loan laptops: staff API and device enrolment.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  return app;
}
