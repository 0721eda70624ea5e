// The one way the console talks to the hub's HTTP API: the bearer token on every request, the
// hub's `{ statusCode, message }` errors turned into an ApiError in plain words, a 401 handed to
// the session (sign in again, then back), and a 403 for the AUP (by its code) handed to the AUP
// gate.
// Queries are keyed by the API path (engineering.md): `[path, query]`, see apiQuery.
import { plainFieldNames, type AccessRefusal, type ApiErrorBody } from '@app/hub-api';

/** The code of the hub's 403 for an account that must accept the AUP first (ACCESS_REFUSALS). */
const AUP_REQUIRED: AccessRefusal = 'aup_required';
import { queryOptions } from '@tanstack/react-query';

/** A query string's values: undefined and '' are left out, arrays repeat the key. */
export type ApiQuery = Record<string, string | number | boolean | undefined | readonly string[]>;

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: ApiQuery;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is instead of JSON (a CSV file to import), with its Content-Type. */
  text?: { content: string; contentType: string };
  signal?: AbortSignal;
  /**
   * A 401 from this call means a password given in it was wrong (changing your password), not
   * that the sign-in ended: the caller shows it beside the field and the session goes on.
   */
  checksPassword?: boolean;
  /** Read a 2xx body as a Blob (a file to save: the audit log's CSV) rather than JSON or text. */
  as?: 'blob';
}

/**
 * What went wrong with a call, in words a member of staff can act on. `status` is the HTTP
 * status (0 when the hub could not be reached); `message` is the hub's own message where it gave
 * one (they are written for people), else a plain sentence for the status. `code` is the hub's
 * word for the refusals it names (ApiErrorBody.code): what the console decides by, never the
 * message's words.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Which of the `known` codes a refusal of `status` from the hub carries beside its message
 * (ApiErrorBody.code): null for any other error, and for one without a known code. What a screen
 * decides by, never the message's words, which may change.
 */
export function refusalCodeOf<T extends string>(
  error: unknown,
  status: number,
  known: readonly T[],
): T | null {
  if (!(error instanceof ApiError) || error.status !== status || error.code === null) {
    return null;
  }
  const code = error.code;
  return known.find((candidate) => candidate === code) ?? null;
}

/** Which of the `known` codes a 409 from the hub carries: refusalCodeOf for status 409. */
export function conflictCodeOf<T extends string>(error: unknown, known: readonly T[]): T | null {
  return refusalCodeOf(error, 409, known);
}

interface SessionHooks {
  token(): string | null;
  /**
   * The sign-in behind the token ended (401): sign in again, then come back. `why` is the hub's
   * sentence (the account was disabled, the sign-in expired or was ended).
   */
  unauthorized(why: string): void;
  /** The hub refused for want of the current AUP (403): show the AUP. */
  aupRequired(): void;
}

let hooks: SessionHooks = {
  token: () => null,
  unauthorized: () => undefined,
  aupRequired: () => undefined,
};

/** Called once by the session (auth/session.tsx): where the token comes from and who hears 401s. */
export function connectApiToSession(session: SessionHooks): void {
  hooks = session;
}

/** `/api/devices` with `{ page: 2 }` → `/api/devices?page=2`. */
export function apiUrl(path: string, query?: ApiQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === '') {
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((item: string) => params.append(key, item));
    } else {
      params.append(key, String(value));
    }
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * Calls the hub. Resolves with the parsed JSON body (undefined for 204), or rejects with an
 * ApiError in plain words.
 *
 * @param path starting with `/api/`
 * @throws ApiError for any answer that is not 2xx, and (status 0) when the hub cannot be reached
 */
export async function api<T>(path: string, request: ApiRequest = {}): Promise<T> {
  const token = hooks.token();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  if (request.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  } else if (request.text) {
    headers['Content-Type'] = request.text.contentType;
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, request.query), {
      method: request.method ?? 'GET',
      headers,
      body: request.body === undefined ? request.text?.content : JSON.stringify(request.body),
      signal: request.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, 'The hub could not be reached. Check the network and try again.');
  }
  if (response.ok) {
    if (response.status === 204) {
      return undefined as T;
    }
    if (request.as === 'blob') {
      return (await response.blob()) as T;
    }
    const type = response.headers.get('Content-Type') ?? '';
    return (type.includes('json') ? await response.json() : await response.text()) as T;
  }
  const { message, code } = await errorOf(response);
  // A sign-in that ended is the session's business; a wrong password at sign-in is the form's.
  if (response.status === 401 && token && !request.checksPassword && path !== '/api/auth/login') {
    hooks.unauthorized(message);
  }
  if (response.status === 403 && code === AUP_REQUIRED) {
    hooks.aupRequired();
  }
  throw new ApiError(response.status, message, code);
}

/** The error's words (the hub's, or the status's) and its `code` if the hub gave one. */
async function errorOf(response: Response): Promise<{ message: string; code: string | null }> {
  try {
    const body = (await response.json()) as Partial<ApiErrorBody>;
    const code = typeof body.code === 'string' && body.code !== '' ? body.code : null;
    if (typeof body.message === 'string' && body.message !== '' && response.status < 500) {
      return { message: sentence(body.message), code };
    }
    return { message: statusWords(response.status), code };
  } catch {
    // Not JSON: the status's own words.
  }
  return { message: statusWords(response.status), code: null };
}

/**
 * A message of the hub's as a sentence: a capital first, a full stop last. They start in lower
 * case when they name a field ("newPassword must …").
 */
export function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function statusWords(status: number): string {
  switch (status) {
    case 401:
      return 'Your sign-in has ended. Sign in again.';
    case 403:
      return "You don't have access to this.";
    case 404:
      return 'That was not found. It may have been removed.';
    case 409:
      return 'Someone changed this at the same moment. Reload and try again.';
    case 413:
      return 'That is too large for the hub.';
    case 429:
      return 'Too many attempts. Wait a little and try again.';
    default:
      return status >= 500
        ? 'The hub had a problem and could not do that. Try again; if it keeps happening, tell ICT.'
        : `The hub refused that (status ${status}).`;
  }
}

/** The plain words for anything a call or a page threw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    return plainFieldNames(error.message);
  }
  return 'Something went wrong in the console. Reload the page and try again.';
}

/**
 * What could not be done and why, in one line, for a place that has room for one (a field's
 * error slot) rather than an ErrorMessage: "Could not read the days. Only the leaders of this
 * trip, ICT and safeguarding see its photos." `title` is a sentence; the reason is the hub's own
 * words (describeError), never left out.
 */
export function failureWords(title: string, error: unknown): string {
  return `${title} ${describeError(error)}`;
}

/**
 * TanStack Query options for a GET, keyed by the API path: `[path]` or `[path, query]`. Live
 * events and mutations invalidate or update by the same key (`queryClient.invalidateQueries({
 * queryKey: ['/api/devices'] })` reaches every page and filter of the list).
 */
export function apiQuery<T>(path: string, query?: ApiQuery) {
  return queryOptions({
    queryKey: query ? [path, query] : [path],
    queryFn: ({ signal }) => api<T>(path, { query, signal }),
  });
}
