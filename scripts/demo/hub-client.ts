// A small client for the hub's staff API, as the demo school and the screenshots use it: sign in
// (accepting the AUP when asked), then JSON in and out with the bearer token.
import type { AupCurrent, LoginResponse } from '@app/hub-api';

/** A refusal from the hub: its status and its own words. */
export class HubRequestError extends Error {
  override readonly name = 'HubRequestError';

  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class HubClient {
  private constructor(
    readonly hubUrl: string,
    private readonly token: string,
  ) {}

  /**
   * Signs in as `username`. With `acceptAup`, accepts the current acceptable use policy if this
   * account has not yet (the hub refuses every other route until it has).
   *
   * @throws HubRequestError when the hub refuses the sign-in (401 for a wrong password)
   */
  static async signIn(
    hubUrl: string,
    username: string,
    password: string,
    options: { acceptAup?: boolean } = {},
  ): Promise<HubClient> {
    const login = await send<LoginResponse>(hubUrl, 'POST', '/api/auth/login', undefined, {
      username,
      password,
    });
    const client = new HubClient(hubUrl, login.accessToken);
    if (options.acceptAup) {
      const aup = await client.get<AupCurrent>('/api/aup');
      if (!aup.acceptedAt) {
        await client.post('/api/staff/me/aup-acceptance', { version: aup.version });
      }
    }
    return client;
  }

  get<T>(path: string): Promise<T> {
    return send<T>(this.hubUrl, 'GET', path, this.token);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return send<T>(this.hubUrl, 'POST', path, this.token, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return send<T>(this.hubUrl, 'PATCH', path, this.token, body);
  }
}

async function send<T>(
  hubUrl: string,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${hubUrl}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // Not JSON: keep the text.
    }
    throw new HubRequestError(`${method} ${path}: ${response.status} ${message}`, response.status);
  }
  return (text === '' ? undefined : JSON.parse(text)) as T;
}
