// Structured logs with a correlation id per request; credentials are never written.
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { requestIdFor } from './common/request-context';
import type { HubConfig } from './config/hub-config';

export function loggerParams(config: HubConfig): Params {
  return {
    // Express 5 names the wildcard; nestjs-pino's default `*` prints a warning at every start.
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.logLevel,
      genReqId: requestIdFor,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      serializers: {
        // The URL only, without a query string that could carry a search term or a name.
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url.split('?')[0],
        }),
      },
      autoLogging: { ignore: (request: IncomingMessage) => request.url === '/api/health' },
    },
  };
}
