// Structured logs with a correlation id per request; credentials are never written.
//
// One line per HTTP request when it ends (issue 9): method, route pattern, status, time in ms,
// correlation id and who asked (the actor's id), and nothing else at `info`: no URL with its
// ids or query, no headers, no bodies. Headers (credentials redacted) appear only at `debug`.
// Socket.IO traffic never passes through Express, so it is not logged per message.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { RequestWithPrincipal } from './common/access';
import { requestIdFor } from './common/request-context';
import type { HubConfig } from './config/hub-config';

/** How the request logs name a request that matched no route (a 404 before any handler). */
export const NO_ROUTE = '(no route)';

/**
 * The route pattern a request matched, as Express knows it after routing (`/api/devices/:id`),
 * so the log never carries the ids or names in the URL itself.
 */
export function routePattern(request: IncomingMessage): string {
  const matched = request as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
  const pattern = matched.route?.path;
  return typeof pattern === 'string' ? `${matched.baseUrl ?? ''}${pattern}` : NO_ROUTE;
}

function actorOf(request: IncomingMessage): { actorId: string | null; actorKind?: string } {
  const principal = (request as RequestWithPrincipal).principal;
  return principal ? { actorId: principal.id, actorKind: principal.kind } : { actorId: null };
}

interface SerializedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, unknown>;
}

interface SerializedResponse {
  statusCode: number;
  headers: Record<string, unknown>;
}

/**
 * Request headers as the debug log writes them: the credentials are redacted by pino (see
 * `redact`); here, what could name a person goes. `Referer` is the console page that asked, and
 * its query string carries what someone searched or filtered for (a pupil's name, a username), so
 * it is cut as the path is. A tus `Upload-Metadata` keeps its keys only: a client may send the
 * file's own name (`filename`), which can name a pupil and which the hub never stores (AUP).
 *
 * @returns a copy of `headers`; the original is left as it is
 */
export function loggableHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out = { ...headers };
  if (typeof out.referer === 'string') {
    out.referer = out.referer.split('?')[0];
  }
  const metadata = out['upload-metadata'];
  if (typeof metadata === 'string') {
    out['upload-metadata'] = metadata
      .split(',')
      .map((pair) => pair.trim().split(' ')[0])
      .join(',');
  }
  return out;
}

export function loggerParams(config: HubConfig): Params {
  const withHeaders = config.logLevel === 'debug' || config.logLevel === 'trace';
  const line = (request: IncomingMessage, response: ServerResponse, ms: number) =>
    `${request.method ?? ''} ${routePattern(request)} ${response.statusCode} ${ms}ms`;
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
        // Bound to every line logged during the request, so it stays small and names no one:
        // the correlation id and the method. The path (without its query string, which could
        // carry a search term or a name) and the headers only at debug.
        req: (req: SerializedRequest) =>
          withHeaders
            ? {
                id: req.id,
                method: req.method,
                url: req.url.split('?')[0],
                headers: loggableHeaders(req.headers),
              }
            : { id: req.id, method: req.method },
        res: (res: SerializedResponse) =>
          withHeaders
            ? { statusCode: res.statusCode, headers: res.headers }
            : { statusCode: res.statusCode },
      },
      customSuccessObject: (request, _response, fields: object) => ({
        ...fields,
        route: routePattern(request),
        ...actorOf(request),
      }),
      customErrorObject: (request, _response, _error, fields: object) => ({
        ...fields,
        route: routePattern(request),
        ...actorOf(request),
      }),
      customSuccessMessage: (request, response, ms) => line(request, response, ms),
      customErrorMessage: (request, response) =>
        `${request.method ?? ''} ${routePattern(request)} ${response.statusCode} failed`,
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : 'info',
      autoLogging: { ignore: (request: IncomingMessage) => request.url === '/api/health' },
    },
  };
}
