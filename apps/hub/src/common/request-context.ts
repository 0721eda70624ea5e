// Carries the request's correlation id (and who is asking) through async calls, so the audit
// log and the logs can name the request without threading it through every signature.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentCorrelationId(): string | null {
  return storage.getStore()?.correlationId || null;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * The request's correlation id: a well-formed incoming X-Request-Id or a new UUID, echoed in the
 * response header. Assigned once, by whichever middleware sees the request first (the request
 * context or pino-http), so the logs and the audit log name the same id.
 */
export function requestIdFor(
  request: IncomingMessage & { id?: unknown },
  response: ServerResponse,
): string {
  if (typeof request.id === 'string' && request.id !== '') {
    return request.id;
  }
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  request.id = id;
  response.setHeader('X-Request-Id', id);
  return id;
}
