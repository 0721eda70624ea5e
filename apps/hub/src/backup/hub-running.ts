// Is a hub using this data right now? Restore must not replace a database under a running hub:
// the hub would go on writing to the file that was moved aside, and its WAL could be replayed
// onto the restored one. Two checks, each of which a running hub cannot escape:
//   - the hub's port (HUB_PORT) accepts connections: the hub holds it from the first moment of
//     its start (main.ts) to its end, so this sees a hub that is starting, serving HTTP or HTTPS;
//   - on Linux, a process has the database, its WAL or its -shm open (/proc/PID/fd): this sees a
//     hub on another port, or another admin command, as long as it runs as the same user.
// flock-style checks are useless here: SQLite takes POSIX record locks, and only while it works.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { HubConfig } from '../config/hub-config';
import { sqliteFile } from '../config/hub-config';

const CONNECT_TIMEOUT_MS = 2000;

/** The address to reach the hub's port from this machine. */
function localAddress(host: string): string {
  if (host === '0.0.0.0' || host === '' || host === '*') {
    return '127.0.0.1';
  }
  if (host === '::') {
    return '::1';
  }
  return host;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function answersHealth(host: string, port: number): Promise<boolean> {
  const name = host.includes(':') ? `[${host}]` : host;
  try {
    const response = await fetch(`http://${name}:${port}/api/health`, {
      signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS),
    });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Ids of other processes that have any of `files` open, as far as /proc lets this user see. */
function processesWithOpen(files: string[]): number[] {
  if (!fs.existsSync('/proc/self/fd')) {
    return [];
  }
  const wanted = new Set(files.map((file) => path.resolve(file)));
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!/^\d+$/.test(entry) || pid === process.pid) {
      continue;
    }
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        if (wanted.has(fs.readlinkSync(`/proc/${entry}/fd/${fd}`))) {
          found.push(pid);
          break;
        }
      } catch {
        // closed while we looked
      }
    }
  }
  return found;
}

/**
 * Why the hub counts as running, or null if neither check finds it. Port 0 (any free port) has
 * no port to check; the open-file check still runs.
 *
 * @returns one sentence for the person restoring, naming the port or the process ids
 */
export async function whyHubIsRunning(
  config: Pick<HubConfig, 'host' | 'port' | 'database'>,
): Promise<string | null> {
  const db = sqliteFile(config.database);
  const holders = processesWithOpen([db, `${db}-wal`, `${db}-shm`]);
  if (config.port !== 0) {
    const host = localAddress(config.host);
    if (await accepts(host, config.port)) {
      return (await answersHealth(host, config.port))
        ? `the hub is running: port ${config.port} answers /api/health`
        : `something is listening on port ${config.port} (HUB_PORT): a hub starting, a hub serving HTTPS, or another program`;
    }
  }
  if (holders.length > 0) {
    return `process ${holders.join(', ')} has the database ${db} open`;
  }
  return null;
}
