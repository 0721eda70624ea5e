// What a device needs to enrol, in the two forms the Enrol screen gives it: the QR code an iPad or
// Android app scans, and the command line for a laptop's agent (apps/device-agent/src/main.ts).

/** What the enrolment QR code holds (JSON), so a device app can tell it from any other code. */
export const ENROLMENT_QR_TYPE = 'classroom-hub-enrolment';

/**
 * The QR code's text: JSON `{ type, hub, token, caFingerprint? }`.
 * - `hub`: the hub's base URL as devices reach it (no trailing slash), for `POST {hub}/api/enroll`
 *   and the `/device` socket (protocol section 1).
 * - `caFingerprint`: the SHA-256 of the hub's CA (GET /api/school), for an https:// hub only; the
 *   device fetches GET /api/ca.pem and trusts it only if it has this fingerprint, as the agent's
 *   `--ca-fingerprint` does. Left out for http://, where there is no TLS to pin.
 */
export function enrolmentQrText(hubUrl: string, token: string, caFingerprint?: string): string {
  const hub = trimHubUrl(hubUrl);
  return JSON.stringify({
    type: ENROLMENT_QR_TYPE,
    hub,
    token,
    ...(isHttps(hub) && caFingerprint ? { caFingerprint } : {}),
  });
}

/**
 * The agent's enrolment command for a laptop, run from a checkout of the hub's repository:
 * `npm run agent -- enroll --hub URL --token T [--ca-fingerprint FP]`. The fingerprint is given
 * for an https:// hub only: the agent refuses it for http:// (apps/device-agent/src/hub-trust.ts).
 * Tokens are base64url and hubUrlProblem lets through only a host name or IP address (letters,
 * digits, dots, dashes, or an IPv6 address in brackets), a port and nothing else, so nothing here
 * needs quoting for a shell.
 */
export function agentEnrolCommand(hubUrl: string, token: string, caFingerprint?: string): string {
  const hub = trimHubUrl(hubUrl);
  const parts = ['npm run agent -- enroll', `--hub ${hub}`, `--token ${token}`];
  if (isHttps(hub) && caFingerprint) {
    parts.push(`--ca-fingerprint ${caFingerprint}`);
  }
  return parts.join(' ');
}

/**
 * A host as devices name a hub: a DNS name or IPv4 address (letters, digits, dots, dashes, as
 * `URL` gives it: lower case, international names as xn--), or an IPv6 address in brackets. The
 * WHATWG URL parser accepts more in a host (`;`, `$`, `&`, quotes, backticks), which a shell
 * would run as commands in the agent's enrolment command a person copies onto each laptop.
 */
const HOST_NAME = /^(?:[a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/;

/** Why a typed hub address cannot be used, in words; null when it is a plain http(s) origin. */
export function hubUrlProblem(hubUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(trimHubUrl(hubUrl));
  } catch {
    return 'Type the address with http:// or https://, for example https://hub.school.example.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'The address must start with http:// or https://.';
  }
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    return 'Give only the address and port, for example https://hub.school.example:8443.';
  }
  if (!HOST_NAME.test(url.hostname)) {
    return 'A hub’s name has only letters, digits, dots and dashes (or it is an IP address), for example https://hub.school.example.';
  }
  return null;
}

/** Whether devices elsewhere on the network cannot use this address (it names this computer). */
export function isLocalOnly(hubUrl: string): boolean {
  try {
    const host = new URL(hubUrl).hostname;
    return host === 'localhost' || host.startsWith('127.') || host === '[::1]';
  } catch {
    return false;
  }
}

function trimHubUrl(hubUrl: string): string {
  return hubUrl.trim().replace(/\/+$/, '');
}

function isHttps(hubUrl: string): boolean {
  return hubUrl.startsWith('https://');
}
