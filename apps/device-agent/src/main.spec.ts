// The agent's command line end to end: `enroll` in process against the stand-in hub, then `run`
// as a real child process that answers commands, keeps its journal across a restart and forgets
// its identity when unenrolled.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CommandEnvelope } from '@app/devices';
import { StandInHub } from '@app/devices/testing/stand-in-hub';
import { IDENTITY_FILE, JOURNAL_FILE, KEY_FILE } from './agent-state';
import { main } from './main';

const ROOT = resolve(__dirname, '../../..');

/** `device-agent run` in a child process, its output collected line by line. */
class AgentProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[]) {
    this.child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register',
        '-r',
        'tsconfig-paths/register',
        'apps/device-agent/src/main.ts',
        ...args,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let buffered = '';
    const collect = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      this.lines.push(...parts);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)));
  }

  async waitForLine(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l));
      if (line) {
        return line;
      }
      if (Date.now() > deadline) {
        throw new Error(`no line matching ${pattern}; got:\n${this.lines.join('\n')}`);
      }
      await new Promise((wake) => setTimeout(wake, 50));
    }
  }

  stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

function command(
  type: CommandEnvelope['type'],
  payload: object,
  id = randomUUID(),
): CommandEnvelope {
  return { id, type, payload, issuedAt: new Date().toISOString() } as CommandEnvelope;
}

describe('device-agent', () => {
  jest.setTimeout(60_000);

  let hub: StandInHub;
  let dir: string;
  let agent: AgentProcess | undefined;
  let output: string[];

  beforeEach(async () => {
    hub = await StandInHub.start();
    hub.tokens.set('laptop-token', 5);
    dir = join(await mkdtemp(join(tmpdir(), 'agent-')), 'state');
    output = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((text) => {
      output.push(String(text));
      return true;
    });
    jest.spyOn(console, 'error').mockImplementation((text: unknown) => {
      output.push(String(text));
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    if (agent) {
      await agent.stop();
      agent = undefined;
    }
    await hub.close();
    await rm(resolve(dir, '..'), { recursive: true, force: true });
  });

  const enroll = (...extra: string[]) =>
    main([
      'enroll',
      '--hub',
      hub.url,
      '--token',
      'laptop-token',
      '--state-dir',
      dir,
      '--serial',
      'PF2XK9LM',
      ...extra,
    ]);

  it('enrols once, privately, and will not enrol over an identity without --force', async () => {
    expect(await enroll('--asset-tag', 'LAP-042')).toBe(0);

    const identity = JSON.parse(await readFile(join(dir, IDENTITY_FILE), 'utf8')) as {
      deviceId: string;
    };
    expect(hub.devices.has(identity.deviceId)).toBe(true);
    expect(hub.enrollRequests[0].device).toMatchObject({
      serialNumber: 'PF2XK9LM',
      platform: 'linux',
      assetTag: 'LAP-042',
    });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(output.join('')).toContain(`as device ${identity.deviceId}`);

    expect(await enroll()).toBe(2);
    expect(output.join('')).toContain('pass --force to enrol again');
    expect(await enroll('--force')).toBe(0);
    expect(hub.enrollRequests).toHaveLength(2);
  });

  it('takes a token, a name and an asset tag that begin with "-", as the hub may issue and staff may type', async () => {
    // One enrolment token in 64 begins with "-" (base64url); Node's strict parser alone refuses it.
    hub.tokens.set('-Xq7vT2', 1);
    expect(
      await main([
        'enroll',
        '--hub',
        hub.url,
        '--token',
        '-Xq7vT2',
        '--state-dir',
        dir,
        '--serial',
        '-PF2XK9LM',
        '--name',
        '- spare laptop',
        '--asset-tag',
        '--LAP-7',
      ]),
    ).toBe(0);
    expect(hub.enrollRequests[0].device).toMatchObject({
      serialNumber: '-PF2XK9LM',
      name: '- spare laptop',
      assetTag: '--LAP-7',
    });
    // A missing value and an unknown option are still usage errors.
    expect(await main(['enroll', '--hub', hub.url, '--token'])).toBe(2);
    expect(await main(['enroll', '--hub', hub.url, '--token', 't', '--colour', 'red'])).toBe(2);
  });

  it('says why enrolment failed', async () => {
    expect(
      await main([
        'enroll',
        '--hub',
        hub.url,
        '--token',
        'wrong',
        '--state-dir',
        dir,
        '--serial',
        'X1',
      ]),
    ).toBe(1);
    expect(output.join('')).toContain(
      'enrolment token is missing, unknown, expired or used up (HTTP 401)',
    );
  });

  it('runs: answers commands, logs one line each without their contents, and never acts twice across a restart', async () => {
    expect(await enroll()).toBe(0);
    const { deviceId } = JSON.parse(await readFile(join(dir, IDENTITY_FILE), 'utf8')) as {
      deviceId: string;
    };

    agent = new AgentProcess(['run', '--state-dir', dir, '--simulate']);
    await agent.waitForLine(/connected to .* as device/);
    await hub.until(() => hub.statesOf(deviceId).length > 0);
    const lock = command('device.lock', { reason: 'class', message: 'Eyes front, Jonas' });
    expect(await hub.send(lock, hub.socket(deviceId))).toEqual({ status: 'acknowledged' });
    await agent.waitForLine(new RegExp(`command device.lock ${lock.id} acknowledged$`));
    expect(agent.lines.join('\n')).not.toContain('Jonas');
    expect(await agent.stop()).toBe(0);
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toContain(lock.id);

    agent = new AgentProcess(['run', '--state-dir', dir, '--simulate']);
    await agent.waitForLine(/connected to/);
    await hub.until(() => hub.socket(deviceId).connected);
    expect(await hub.send(lock, hub.socket(deviceId))).toEqual({ status: 'acknowledged' });
    await agent.waitForLine(
      /command device.lock .* acknowledged \(answered before, not repeated\)/,
    );
  });

  it('forgets its identity and stops when the hub unenrols it', async () => {
    expect(await enroll()).toBe(0);
    const { deviceId } = JSON.parse(await readFile(join(dir, IDENTITY_FILE), 'utf8')) as {
      deviceId: string;
    };
    agent = new AgentProcess(['run', '--state-dir', dir, '--simulate']);
    await agent.waitForLine(/connected to/);
    await hub.until(() => hub.socket(deviceId)?.connected === true);

    expect(await hub.send(command('device.unenroll', {}), hub.socket(deviceId))).toEqual({
      status: 'acknowledged',
    });

    expect(await agent.exited).toBe(0);
    await expect(stat(join(dir, IDENTITY_FILE))).rejects.toThrow();
    await expect(stat(join(dir, KEY_FILE))).rejects.toThrow();
    await expect(stat(join(dir, JOURNAL_FILE))).rejects.toThrow();
    agent = undefined;
  });
});
