// Wi-Fi through NetworkManager (wifi.networks, wifi.allowedSsids, wifi.allowUserAddedNetworks):
// the pushed networks as system keyfiles (mode 0600, NetworkManager ignores others), a polkit
// rule that stops standard users adding or changing connections, and the deletion of saved
// connections the policy does not allow. Without NetworkManager every one is reported unenforced.

import { createHash } from 'node:crypto';
import type { PolicySettings, WifiNetwork } from '@app/policy';
import { describeFailure, type SystemWriter } from '../system-writer';
import { POLKIT_DIR, polkitDenyRule } from './removable-media.enforcer';
import {
  beginApply,
  allUnenforced,
  type SettingEnforcer,
  type Unenforced,
} from './setting-enforcer';

export const CONNECTIONS_DIR = '/etc/NetworkManager/system-connections';
export const NETWORK_POLKIT_RULE = '/etc/polkit-1/rules.d/49-classroom-network.rules';
const OWN_PREFIX = 'classroom-';
const OWN_SUFFIX = '.nmconnection';

/** The keyfile a pushed network is written to: named for its SSID's hash, never the SSID. */
export function connectionFile(ssid: string): string {
  return `${CONNECTIONS_DIR}/${OWN_PREFIX}${sha256(ssid).slice(0, 12)}${OWN_SUFFIX}`;
}

/** A NetworkManager keyfile for one network (nm-settings-keyfile(5)). */
export function keyfile(network: WifiNetwork): string {
  const hash = sha256(network.ssid);
  // The same network always gets the same connection UUID, so a rewrite is an update.
  const uuid = [
    hash.slice(0, 8),
    hash.slice(8, 12),
    `5${hash.slice(13, 16)}`,
    `8${hash.slice(17, 20)}`,
    hash.slice(20, 32),
  ].join('-');
  const lines = [
    "# Written by the classroom device agent from the school's policy (wifi.networks).",
    '[connection]',
    `id=${keyfileString(network.ssid)}`,
    `uuid=${uuid}`,
    'type=wifi',
    `autoconnect=${network.autoJoin}`,
    '',
    '[wifi]',
    'mode=infrastructure',
    `ssid=${keyfileSsid(network.ssid)}`,
    '',
  ];
  if (network.security !== 'open') {
    lines.push(
      '[wifi-security]',
      `key-mgmt=${network.security === 'wpa3' ? 'sae' : 'wpa-psk'}`,
      `psk=${keyfileString(network.password ?? '')}`,
      '',
    );
  }
  lines.push('[ipv4]', 'method=auto', '', '[ipv6]', 'method=auto', '');
  return lines.join('\n');
}

const NM_MISSING = 'NetworkManager (nmcli) is not installed';

export const wifiEnforcer: SettingEnforcer = {
  name: 'wifi',
  settings: ['wifi.allowedSsids', 'wifi.allowUserAddedNetworks', 'wifi.networks'],

  async apply(settings: PolicySettings, system: SystemWriter): Promise<Unenforced[]> {
    const start = await beginApply(this, settings, system, 'nmcli', NM_MISSING);
    if (!start.ready) {
      return start.unenforced;
    }
    const { paths, program: nmcli } = start;
    if (!(await system.exists('/etc/NetworkManager'))) {
      return allUnenforced(paths, NM_MISSING);
    }
    const { allowedSsids, allowUserAddedNetworks, networks } = settings.wifi;
    const unenforced: Unenforced[] = [];

    // The pushed networks, and none of ours that the policy dropped.
    const keep = new Set(networks.map((network) => connectionFile(network.ssid)));
    for (const network of networks) {
      await system.writeFile(connectionFile(network.ssid), keyfile(network), 0o600);
    }
    for (const name of await system.list(CONNECTIONS_DIR)) {
      const path = `${CONNECTIONS_DIR}/${name}`;
      if (name.startsWith(OWN_PREFIX) && name.endsWith(OWN_SUFFIX) && !keep.has(path)) {
        await system.removeFile(path);
      }
    }

    // Nobody but an administrator adds or changes a connection.
    const restrictAdding = allowedSsids.length > 0 || !allowUserAddedNetworks;
    if (restrictAdding) {
      if (await system.exists(POLKIT_DIR)) {
        await system.writeFile(
          NETWORK_POLKIT_RULE,
          polkitDenyRule('wifi.allowedSsids, wifi.allowUserAddedNetworks', [
            'org.freedesktop.NetworkManager.settings.modify.system',
            'org.freedesktop.NetworkManager.settings.modify.own',
          ]),
          0o644,
        );
      } else {
        unenforced.push(
          ...allUnenforced(
            paths.filter((path) => path !== 'wifi.networks'),
            'polkit is not installed: users can still add networks',
          ),
        );
      }
    } else {
      await system.removeFile(NETWORK_POLKIT_RULE);
    }

    // Saved connections the policy does not allow. With user-added networks off they all go, but
    // only when a network is pushed: otherwise the laptop could lose the network it reaches the
    // hub through.
    const dropUserAdded = !allowUserAddedNetworks && networks.length > 0;
    if (!allowUserAddedNetworks && networks.length === 0) {
      unenforced.push({
        path: 'wifi.allowUserAddedNetworks',
        reason: 'no network is pushed, so the saved networks were kept',
      });
    }
    try {
      await system.run(nmcli, ['connection', 'reload']);
      if (dropUserAdded || allowedSsids.length > 0) {
        const { stdout } = await system.run(nmcli, [
          '--terse',
          '--fields',
          'UUID,TYPE,FILENAME',
          'connection',
          'show',
        ]);
        for (const line of stdout.split('\n').filter((row) => row.trim() !== '')) {
          const [uuid, type, filename = ''] = splitTerse(line);
          if (type !== '802-11-wireless' || isOwnFile(filename)) {
            continue;
          }
          const ssid = (
            await system.run(nmcli, [
              '--get-values',
              '802-11-wireless.ssid',
              'connection',
              'show',
              'uuid',
              uuid,
            ])
          ).stdout.replace(/\n$/, '');
          if (dropUserAdded || !allowedSsids.includes(ssid)) {
            await system.run(nmcli, ['connection', 'delete', 'uuid', uuid]);
          }
        }
      }
    } catch (error) {
      return allUnenforced(paths, describeFailure('nmcli', error));
    }
    return unenforced;
  },

  async remove(system: SystemWriter): Promise<void> {
    const own = (await system.list(CONNECTIONS_DIR)).filter(
      (name) => name.startsWith(OWN_PREFIX) && name.endsWith(OWN_SUFFIX),
    );
    const hadRule = await system.exists(NETWORK_POLKIT_RULE);
    if (own.length === 0 && !hadRule) {
      return;
    }
    for (const name of own) {
      await system.removeFile(`${CONNECTIONS_DIR}/${name}`);
    }
    await system.removeFile(NETWORK_POLKIT_RULE);
    const nmcli = await system.which('nmcli');
    if (nmcli) {
      await system.run(nmcli, ['connection', 'reload']).catch(() => undefined);
    }
  },
};

function isOwnFile(filename: string): boolean {
  const name = filename.slice(filename.lastIndexOf('/') + 1);
  return (
    filename.startsWith(`${CONNECTIONS_DIR}/`) &&
    name.startsWith(OWN_PREFIX) &&
    name.endsWith(OWN_SUFFIX)
  );
}

/** nmcli's terse output: fields split at `:`, with `\:` and `\\` escaped inside a field. */
export function splitTerse(line: string): string[] {
  const fields: string[] = [''];
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (char === '\\' && i + 1 < line.length) {
      fields[fields.length - 1] += line[i + 1];
      i += 1;
    } else if (char === ':') {
      fields.push('');
    } else {
      fields[fields.length - 1] += char;
    }
  }
  return fields;
}

/** A keyfile string value (GKeyFile escapes): backslash, and a leading space. */
function keyfileString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/^ /, '\\s');
}

/**
 * The SSID as keyfile text when that reads back unchanged, else as its bytes (`83;99;104;`), which
 * nm-settings-keyfile(5) also accepts: a `;` would otherwise split it as a list.
 */
function keyfileSsid(ssid: string): string {
  if (/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(ssid) && !/[;\\]/.test(ssid)) {
    return ssid;
  }
  return `${[...Buffer.from(ssid, 'utf8')].join(';')};`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
