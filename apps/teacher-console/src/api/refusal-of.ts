// For the console's unit specs (*.spec.tsx): a hub refusal read through the console's own API
// client, as a screen receives it. Not imported by the console itself.
import { api, type ApiRequest } from './client';

/**
 * What `api(path, request)` rejects with (an ApiError, with the `code` and message the client
 * read) when the hub answers `status` with the JSON `body`. `global.fetch` is replaced for this
 * one request and put back.
 *
 * @throws Error when the request was not refused (the spec expected a refusal)
 */
export async function refusalOf(
  path: string,
  request: ApiRequest,
  status: number,
  body: unknown,
): Promise<unknown> {
  const realFetch = global.fetch;
  global.fetch = () =>
    Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      }),
    );
  try {
    await api(path, request);
  } catch (error) {
    return error;
  } finally {
    global.fetch = realFetch;
  }
  throw new Error(`${request.method ?? 'GET'} ${path} was not refused`);
}
