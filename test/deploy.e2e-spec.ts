// The systemd unit in deploy/ is what docs/deploy.md promises (issue 9): its own user, the data
// directory, the open-file limit, restart on failure and the hardening.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HUB_NODE_FLAGS } from '../apps/hub/src/runtime-flags';

const unit = fs.readFileSync(path.join(__dirname, '..', 'deploy', 'classroom-hub.service'), 'utf8');

/** `Key=value` settings of the unit, ignoring comments. */
const settings = unit
  .split('\n')
  .filter((line) => /^[A-Za-z]+=/.test(line))
  .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);

describe('deploy/classroom-hub.service', () => {
  it('runs the hub as its own user over the data directory, restarted on failure', () => {
    expect(settings).toEqual(
      expect.arrayContaining([
        ['User', 'classroom-hub'],
        ['Group', 'classroom-hub'],
        ['WorkingDirectory', '/opt/classroom-hub'],
        ['EnvironmentFile', '/etc/classroom-hub/hub.env'],
        ['Environment', 'HUB_DATA_DIR=/var/lib/classroom-hub'],
        ['ExecStart', `/usr/bin/node ${HUB_NODE_FLAGS.join(' ')} dist/apps/hub/src/main.js`],
        ['LimitNOFILE', '65536'],
        ['Restart', 'on-failure'],
      ]),
    );
  });

  it('is hardened, with only the data directory writable', () => {
    expect(settings).toEqual(
      expect.arrayContaining([
        ['NoNewPrivileges', 'true'],
        ['ProtectSystem', 'strict'],
        ['ReadWritePaths', '/var/lib/classroom-hub'],
        ['PrivateTmp', 'true'],
      ]),
    );
  });

  it('is linked from the README through the deploy guide', () => {
    const root = path.join(__dirname, '..');
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('(docs/deploy.md)');
    const guide = fs.readFileSync(path.join(root, 'docs', 'deploy.md'), 'utf8');
    expect(guide).toContain('deploy/classroom-hub.service');
    expect(guide).toContain('## Backup and restore');
  });
});

describe("the hub's Node flags (HUB_NODE_FLAGS)", () => {
  it('are the ones npm start and npm run start:prod run the hub with', () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const run = `node ${HUB_NODE_FLAGS.join(' ')} dist/apps/hub/src/main.js`;
    expect(HUB_NODE_FLAGS).toContain('--max-semi-space-size=64');
    expect(scripts['start:prod']).toBe(run);
    expect(scripts.start).toBe(`npm run build && ${run}`);
  });
});

describe('deploy/classroom-hub@.service (a hub of a cluster, issue 10)', () => {
  const root = path.join(__dirname, '..');
  const cluster = fs
    .readFileSync(path.join(root, 'deploy', 'classroom-hub@.service'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);

  it('runs one hub per instance (its port), on the cluster settings, with the open-file limit', () => {
    expect(cluster).toEqual(
      expect.arrayContaining([
        ['User', 'classroom-hub'],
        ['EnvironmentFile', '/etc/classroom-hub/cluster.env'],
        ['Environment', 'HUB_PORT=%i'],
        ['Environment', 'HUB_DATA_DIR=/var/lib/classroom-hub/hub-%i'],
        ['Environment', 'HUB_CA_DIR=/var/lib/classroom-hub/ca'],
        ['Environment', 'HUB_STORE_DIR=/srv/classroom-hub/store'],
        ['ExecStart', `/usr/bin/node ${HUB_NODE_FLAGS.join(' ')} dist/apps/hub/src/main.js`],
        ['LimitNOFILE', '65536'],
        ['Restart', 'on-failure'],
      ]),
    );
  });

  it('is hardened as the single hub is, writing only its data and the store', () => {
    const single = settings.filter(([key]) =>
      ['NoNewPrivileges', 'ProtectSystem', 'PrivateTmp', 'UMask', 'ProtectHome'].includes(key),
    );
    expect(cluster).toEqual(expect.arrayContaining(single));
    expect(cluster).toContainEqual([
      'ReadWritePaths',
      '/var/lib/classroom-hub /srv/classroom-hub/store',
    ]);
  });

  it('is explained in the deploy guide, with nginx, PostgreSQL and the copy from SQLite', () => {
    const guide = fs.readFileSync(path.join(root, 'docs', 'deploy.md'), 'utf8');
    expect(guide).toContain('deploy/classroom-hub@.service');
    expect(guide).toContain('## Several hubs');
    expect(guide).toContain('copy-to-postgres');
    expect(guide).toContain('HUB_CA_DIR');
  });
});
