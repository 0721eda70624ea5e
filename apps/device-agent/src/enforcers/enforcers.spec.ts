// The Linux agent's enforcers against a folder standing for `/`: which files they write, with
// what content and mode, which programs they run, and what they report unenforced when the agent
// is not root or a tool is missing. Also: they claim exactly what PLATFORM_SUPPORT says.

import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PLATFORM_SUPPORT, SCHOOL_BASELINE, SETTING_PATHS, type PolicySettings } from '@app/policy';
import { RootedSystemWriter } from '../system-writer';
import { cameraEnforcer, CAMERA_RULE } from './camera.enforcer';
import { LINUX_SETTING_ENFORCERS } from './index';
import {
  MEDIA_POLKIT_RULE,
  MEDIA_UDEV_RULE,
  removableMediaEnforcer,
} from './removable-media.enforcer';
import {
  DCONF_LOCKS,
  DCONF_PROFILE,
  DCONF_SETTINGS,
  GNOME_SCREENSAVER_SCHEMA,
  screenLockEnforcer,
} from './screen-lock.enforcer';
import { connectionFile, NETWORK_POLKIT_RULE, splitTerse, wifiEnforcer } from './wifi.enforcer';

function policy(patch: Partial<{ [G in keyof PolicySettings]: Partial<PolicySettings[G]> }>) {
  const settings = JSON.parse(JSON.stringify(SCHOOL_BASELINE)) as PolicySettings;
  for (const [group, values] of Object.entries(patch)) {
    Object.assign(settings[group as keyof PolicySettings], values);
  }
  return settings;
}

describe('Linux enforcers', () => {
  let root: string;
  let ran: string[][];
  let respond: (args: string[]) => string;
  const system = (isRoot = true) =>
    new RootedSystemWriter({
      root,
      isRoot,
      run: (file, args) => {
        ran.push([file, ...args]);
        return Promise.resolve({ stdout: respond(args) });
      },
    });
  const at = (path: string) => join(root, path);
  const read = (path: string) => readFile(at(path), 'utf8');
  const modeOf = async (path: string) => (await stat(at(path))).mode & 0o777;
  async function install(...programs: string[]) {
    for (const program of programs) {
      await mkdir(at('/usr/bin'), { recursive: true });
      await writeFile(at(`/usr/bin/${program}`), '');
      await chmod(at(`/usr/bin/${program}`), 0o755);
    }
  }
  async function makeDir(path: string) {
    await mkdir(at(path), { recursive: true });
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'enforcers-'));
    ran = [];
    respond = () => '';
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('claim exactly the settings the platform table gives each of them', () => {
    for (const enforcer of LINUX_SETTING_ENFORCERS) {
      const inTable = SETTING_PATHS.filter(
        (path) => PLATFORM_SUPPORT[path].linux.enforcer === enforcer.name,
      );
      expect([...enforcer.settings].sort()).toEqual([...inTable].sort());
    }
    const named = new Set(LINUX_SETTING_ENFORCERS.map((enforcer) => enforcer.name));
    for (const path of SETTING_PATHS) {
      const { enforcer, support } = PLATFORM_SUPPORT[path].linux;
      if (enforcer) {
        expect(named).toContain(enforcer);
      }
      // A setting no enforcer claims cannot be marked as enforced.
      expect(enforcer === null ? ['no', 'n/a'] : ['yes', 'partly']).toContain(support);
    }
  });

  describe('screen lock', () => {
    it('writes GNOME dconf settings and locks, and runs dconf update', async () => {
      await install('dconf');
      await makeDir(dirname(GNOME_SCREENSAVER_SCHEMA));
      await writeFile(at(GNOME_SCREENSAVER_SCHEMA), '<schemalist/>');

      const unenforced = await screenLockEnforcer.apply(
        policy({ screen: { autoLockMinutes: 7 } }),
        system(),
      );

      expect(unenforced).toEqual([]);
      expect(await read(DCONF_PROFILE)).toBe('user-db:user\nsystem-db:local\n');
      const settings = await read(DCONF_SETTINGS);
      expect(settings).toContain('[org/gnome/desktop/session]\nidle-delay=uint32 420\n');
      expect(settings).toContain('lock-enabled=true\nlock-delay=uint32 0\n');
      expect(await read(DCONF_LOCKS)).toContain('/org/gnome/desktop/session/idle-delay\n');
      expect(await modeOf(DCONF_SETTINGS)).toBe(0o644);
      expect(ran).toEqual([['/usr/bin/dconf', 'update']]);
    });

    it('reports it unenforced when not root, without dconf, or without GNOME', async () => {
      const settings = policy({});
      expect(await screenLockEnforcer.apply(settings, system(false))).toEqual([
        { path: 'screen.autoLockMinutes', reason: 'the agent is not running as root' },
      ]);
      expect(await screenLockEnforcer.apply(settings, system())).toEqual([
        { path: 'screen.autoLockMinutes', reason: 'dconf is not installed' },
      ]);
      await install('dconf');
      expect(await screenLockEnforcer.apply(settings, system())).toEqual([
        {
          path: 'screen.autoLockMinutes',
          reason: 'no GNOME desktop: only its lock screen is configured',
        },
      ]);
      expect(ran).toEqual([]);
      await expect(stat(at(DCONF_SETTINGS))).rejects.toThrow();
    });
  });

  describe('Wi-Fi', () => {
    const school = {
      ssid: 'School',
      security: 'wpa2' as const,
      password: 'pass phrase',
      autoJoin: true,
    };

    it('writes pushed networks as 0600 keyfiles, stops users adding networks, and deletes the rest', async () => {
      await install('nmcli');
      await makeDir('/etc/NetworkManager/system-connections');
      await makeDir('/etc/polkit-1');
      await writeFile(
        at('/etc/NetworkManager/system-connections/classroom-000000000000.nmconnection'),
        'old',
      );
      respond = (args) => {
        if (args.includes('UUID,TYPE,FILENAME')) {
          return (
            `u-own:802-11-wireless:${connectionFile('School').replace(/:/g, '\\:')}\n` +
            'u-cafe:802-11-wireless:/etc/NetworkManager/system-connections/Cafe.nmconnection\n' +
            'u-wired:802-3-ethernet:/run/NetworkManager/system-connections/Wired.nmconnection\n'
          );
        }
        return args.includes('u-cafe') ? 'Cafe\n' : '';
      };

      const unenforced = await wifiEnforcer.apply(
        policy({
          wifi: { allowedSsids: ['School'], allowUserAddedNetworks: false, networks: [school] },
        }),
        system(),
      );

      expect(unenforced).toEqual([]);
      const file = connectionFile('School');
      expect(await modeOf(file)).toBe(0o600);
      const text = await read(file);
      expect(text).toContain('[connection]\nid=School\n');
      expect(text).toContain('type=wifi\nautoconnect=true\n');
      expect(text).toContain('[wifi]\nmode=infrastructure\nssid=School\n');
      expect(text).toContain('[wifi-security]\nkey-mgmt=wpa-psk\npsk=pass phrase\n');
      await expect(
        stat(at('/etc/NetworkManager/system-connections/classroom-000000000000.nmconnection')),
      ).rejects.toThrow();
      const rule = await read(NETWORK_POLKIT_RULE);
      expect(rule).toContain(
        "action.id === 'org.freedesktop.NetworkManager.settings.modify.system'",
      );
      expect(rule).toContain('polkit.Result.NO');
      expect(ran).toContainEqual(['/usr/bin/nmcli', 'connection', 'reload']);
      expect(ran).toContainEqual(['/usr/bin/nmcli', 'connection', 'delete', 'uuid', 'u-cafe']);
      expect(ran.filter((args) => args.includes('delete'))).toHaveLength(1);
    });

    it('keeps saved networks when none is pushed, and says so', async () => {
      await install('nmcli');
      await makeDir('/etc/NetworkManager');
      await makeDir('/etc/polkit-1');
      const unenforced = await wifiEnforcer.apply(policy({}), system());
      expect(unenforced).toEqual([
        {
          path: 'wifi.allowUserAddedNetworks',
          reason: 'no network is pushed, so the saved networks were kept',
        },
      ]);
      expect(await read(NETWORK_POLKIT_RULE)).toContain('settings.modify.own');
      expect(ran).toEqual([['/usr/bin/nmcli', 'connection', 'reload']]);
    });

    it('reports its settings unenforced when not root or without NetworkManager', async () => {
      const settings = policy({
        wifi: { allowedSsids: ['School'], allowUserAddedNetworks: true, networks: [school] },
      });
      expect((await wifiEnforcer.apply(settings, system(false))).map((u) => u.reason)).toEqual([
        'the agent is not running as root',
        'the agent is not running as root',
      ]);
      expect(await wifiEnforcer.apply(settings, system())).toEqual([
        { path: 'wifi.allowedSsids', reason: 'NetworkManager (nmcli) is not installed' },
        { path: 'wifi.networks', reason: 'NetworkManager (nmcli) is not installed' },
      ]);
      expect(ran).toEqual([]);
    });

    it('reads nmcli terse output with escaped colons', () => {
      expect(splitTerse('a:b\\:c:d\\\\e')).toEqual(['a', 'b:c', 'd\\e']);
    });
  });

  describe('removable media', () => {
    it('turns USB storage off with udev and stops mounting with polkit', async () => {
      await install('udevadm');
      await makeDir('/etc/polkit-1');
      const unenforced = await removableMediaEnforcer.apply(
        policy({ removableMedia: { allowed: false, requireEncryption: true } }),
        system(),
      );
      expect(unenforced).toEqual([]);
      expect(await read(MEDIA_UDEV_RULE)).toContain(
        'ACTION=="add", SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_interface", ATTR{bInterfaceClass}=="08", ATTR{authorized}="0"\n',
      );
      expect(await modeOf(MEDIA_UDEV_RULE)).toBe(0o644);
      expect(await read(MEDIA_POLKIT_RULE)).toContain("'org.freedesktop.udisks2.filesystem-mount'");
      expect(ran).toEqual([
        ['/usr/bin/udevadm', 'control', '--reload-rules'],
        [
          '/usr/bin/udevadm',
          'trigger',
          '--action=add',
          '--subsystem-match=usb',
          '--attr-match=bInterfaceClass=08',
        ],
      ]);
    });

    it('makes plain USB drives read-only when encryption is required', async () => {
      await install('udevadm', 'blockdev');
      const unenforced = await removableMediaEnforcer.apply(policy({}), system());
      expect(unenforced).toEqual([]);
      expect(await read(MEDIA_UDEV_RULE)).toContain(
        'ENV{ID_BUS}=="usb", ENV{ID_FS_USAGE}=="filesystem", RUN+="/usr/bin/blockdev --setro $devnode"',
      );
      await expect(stat(at(MEDIA_POLKIT_RULE))).rejects.toThrow();
    });

    it('removes its rules when drives are allowed, and reports when it cannot act', async () => {
      await install('udevadm');
      await makeDir('/etc/polkit-1');
      await removableMediaEnforcer.apply(policy({ removableMedia: { allowed: false } }), system());
      expect(
        await removableMediaEnforcer.apply(
          policy({ removableMedia: { allowed: true, requireEncryption: false } }),
          system(),
        ),
      ).toEqual([]);
      await expect(stat(at(MEDIA_UDEV_RULE))).rejects.toThrow();
      await expect(stat(at(MEDIA_POLKIT_RULE))).rejects.toThrow();

      expect(await removableMediaEnforcer.apply(policy({}), system())).toEqual([
        { path: 'removableMedia.requireEncryption', reason: 'blockdev is not installed' },
      ]);
      expect(
        await removableMediaEnforcer.apply(
          policy({ removableMedia: { allowed: false } }),
          system(false),
        ),
      ).toEqual([
        { path: 'removableMedia.allowed', reason: 'the agent is not running as root' },
        { path: 'removableMedia.requireEncryption', reason: 'the agent is not running as root' },
      ]);
    });
  });

  describe('camera', () => {
    it('writes a udev rule that turns cameras off, and reloads udev', async () => {
      await install('udevadm');
      expect(await cameraEnforcer.apply(policy({}), system())).toEqual([]);
      const rule = await read(CAMERA_RULE);
      expect(rule).toContain('ATTR{bInterfaceClass}=="0e", ATTR{authorized}="0"\n');
      expect(rule).toContain(
        'SUBSYSTEM=="video4linux", ENV{ID_V4L_CAPABILITIES}=="*:capture:*", TAG-="uaccess", MODE="0000"\n',
      );
      expect(await modeOf(CAMERA_RULE)).toBe(0o644);
      expect(ran[0]).toEqual(['/usr/bin/udevadm', 'control', '--reload-rules']);

      expect(await cameraEnforcer.apply(policy({ camera: { allowed: true } }), system())).toEqual(
        [],
      );
      await expect(stat(at(CAMERA_RULE))).rejects.toThrow();
    });

    it('reports the camera unenforced when not root or without udevadm', async () => {
      expect(await cameraEnforcer.apply(policy({}), system(false))).toEqual([
        { path: 'camera.allowed', reason: 'the agent is not running as root' },
      ]);
      expect(await cameraEnforcer.apply(policy({}), system())).toEqual([
        { path: 'camera.allowed', reason: 'udevadm is not installed' },
      ]);
    });
  });
});
