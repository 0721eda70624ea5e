// The hub serves the built console at / (issue 11): page addresses fall back to index.html (not
// cached), hashed assets are cached for a year, every console answer carries the
// Content-Security-Policy, and /api and Socket.IO are unaffected. A tiny fake build in a
// temporary HUB_CONSOLE_DIR stands in for `npm run build`. A console the hub's user may not read
// is said so, with what to do, not as a console never built.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io } from 'socket.io-client';
import { makeDataDir, startHub, TestHub } from './support/hub';
import { freePort, HubProcess, startHubProcess, stopHubProcess } from './support/hub-process';
import { asOtherUser, giveTo, OTHER_USER } from './support/other-user';

const INDEX =
  '<!doctype html><title>console</title><script type="module" src="/assets/app-1a2b3c.js"></script>';
const SCRIPT = 'console.log("console");';

function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-console-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'assets', 'app-1a2b3c.js'), SCRIPT);
  return dir;
}

describe('the console served at /', () => {
  let hub: TestHub;
  let consoleDir: string;

  beforeAll(async () => {
    consoleDir = fakeBuild();
    hub = await startHub({ env: { HUB_CONSOLE_DIR: consoleDir } });
  });
  afterAll(async () => {
    await hub.close();
    fs.rmSync(consoleDir, { recursive: true, force: true });
  });

  it.each(['/', '/sign-in', '/devices/4f1c2d9e-0000-4000-8000-000000000000', '/audit?page=2'])(
    'answers %s with the app, not cached, with a CSP that allows no inline script',
    async (address) => {
      const response = await hub.http.get(address);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toBe(INDEX);
      expect(response.headers['cache-control']).toBe('no-cache');
      const csp = response.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
    },
  );

  it('serves hashed assets cached for a year, and a missing one as a plain 404', async () => {
    const asset = await hub.http.get('/assets/app-1a2b3c.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.text).toBe(SCRIPT);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const missing = await hub.http.get('/assets/app-old999.js');
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('<!doctype html>');
  });

  it('leaves the API alone: its routes, its JSON 404 and its POSTs', async () => {
    const health = await hub.http.get('/api/health');
    expect(health.status).toBe(200);
    expect(health.headers['content-security-policy']).toBeUndefined();

    const unknown = await hub.http.get('/api/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/json/);
    expect(unknown.body).toEqual({ statusCode: 404, message: expect.any(String) });

    const bare = await hub.http.get('/api');
    expect(bare.status).toBe(404);
    expect(bare.headers['content-type']).toMatch(/json/);

    const login = await hub.http.post('/api/auth/login').send({ username: 'admin', password: 'x' });
    expect(login.status).toBe(401);

    // A POST to a page address is not the app's business either.
    const post = await hub.http.post('/sign-in').send({});
    expect(post.status).toBe(404);
  });

  it('leaves Socket.IO alone: /staff still answers a connection', async () => {
    const socket = io(`${hub.url}/staff`, {
      auth: { token: await hub.login() },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });
});

describe('a hub whose console is not built', () => {
  let hub: TestHub;
  let emptyDir: string;

  beforeAll(async () => {
    emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-console-none-'));
    hub = await startHub({ env: { HUB_CONSOLE_DIR: path.join(emptyDir, 'console') } });
  });
  afterAll(async () => {
    await hub.close();
    fs.rmSync(emptyDir, { recursive: true, force: true });
  });

  it('says so at / in plain words, with the command that builds it', async () => {
    const response = await hub.http.get('/');
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('The console has not been built');
    expect(response.text).toContain('npm run build');
    expect((await hub.http.get('/api/health')).status).toBe(200);
  });
});

// The specs run as root, whom file modes do not stop: this hub runs as `nobody` (other-user.ts),
// over a console built by root, as when `npm run build` ran as root and the hub's service user
// may not open what it made.
asOtherUser('a hub whose user may not read its console', () => {
  let hub: HubProcess;
  let consoleDir: string;
  let dataDir: string;
  const USER = OTHER_USER.name;

  beforeAll(async () => {
    consoleDir = fakeBuild(); // root's, 0700: nobody may open it
    dataDir = makeDataDir();
    giveTo(dataDir);
    hub = await startHubProcess(dataDir, await freePort(), {
      otherUser: true,
      env: { HUB_CONSOLE_DIR: consoleDir },
    });
  }, 90_000);
  afterAll(async () => {
    await stopHubProcess(hub.child);
    fs.rmSync(consoleDir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('says at / that this user may not open the folder and what to do, not that it is not built', async () => {
    fs.chmodSync(consoleDir, 0o700);
    const response = await fetch(`${hub.url}/`);
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(text).toContain('The hub cannot read the console');
    expect(text).toContain(
      `this user (${USER}) may not open the folder ${consoleDir}: give ${USER} permission to open it`,
    );
    expect(text).not.toContain('has not been built');
    expect((await fetch(`${hub.url}/api/health`)).status).toBe(200);
  });

  it('says an index.html or an asset this user may not read is so, never a 500 or a stack trace', async () => {
    fs.chmodSync(consoleDir, 0o755);
    const index = path.join(consoleDir, 'index.html');
    const script = path.join(consoleDir, 'assets', 'app-1a2b3c.js');
    fs.chmodSync(index, 0o600);
    fs.chmodSync(script, 0o600);
    const page = await fetch(`${hub.url}/devices`);
    const pageText = await page.text();
    expect(page.status).toBe(503);
    expect(pageText).toContain(
      `cannot read <code>${index}</code>: this user (${USER}) may not read it: give ${USER} read permission on it`,
    );
    expect(pageText).not.toContain('has not been built');

    const asset = await fetch(`${hub.url}/assets/app-1a2b3c.js`);
    const assetText = await asset.text();
    expect(asset.status).toBe(503);
    expect(assetText).toBe(
      `The hub cannot read ${script}: this user (${USER}) may not read it: give ${USER} read permission on it`,
    );

    // Readable again: served as ever, without a restart.
    fs.chmodSync(index, 0o644);
    fs.chmodSync(script, 0o644);
    expect(await (await fetch(`${hub.url}/devices`)).text()).toBe(INDEX);
    expect(await (await fetch(`${hub.url}/assets/app-1a2b3c.js`)).text()).toBe(SCRIPT);
  });
});
