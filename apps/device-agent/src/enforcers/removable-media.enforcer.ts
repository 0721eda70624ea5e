// Removable drives off or read-only (removableMedia.allowed, removableMedia.requireEncryption):
// off is a udev rule that does not authorise USB mass-storage interfaces, and a polkit rule that
// stops standard users mounting any removable drive through udisks. Encryption required is a
// udev rule that makes every USB drive holding a plain file system read-only; a LUKS volume is
// not a plain file system, so it unlocks and mounts as usual.

import type { PolicySettings } from '@app/policy';
import { describeFailure, type SystemWriter } from '../system-writer';
import {
  beginApply,
  allUnenforced,
  writtenBy,
  type SettingEnforcer,
  type Unenforced,
} from './setting-enforcer';

export const MEDIA_UDEV_RULE = '/etc/udev/rules.d/61-classroom-removable-media.rules';
export const MEDIA_POLKIT_RULE = '/etc/polkit-1/rules.d/49-classroom-removable-media.rules';
export const POLKIT_DIR = '/etc/polkit-1';

/** USB interface class 0x08: mass storage. */
const USB_STORAGE_CLASS = '08';

/** Members of these groups administer the laptop; rules never hold them. */
export const ADMIN_GROUPS = ['sudo', 'wheel'];

/** A polkit rule refusing `actions` to everyone but administrators. */
export function polkitDenyRule(what: string, actions: readonly string[]): string {
  const tests = actions.map((action) => `action.id === '${action}'`).join(' ||\n      ');
  const admins = ADMIN_GROUPS.map((group) => `!subject.isInGroup('${group}')`).join(' && ');
  return (
    `${writtenBy(what, '//')}` +
    'polkit.addRule(function (action, subject) {\n' +
    `  if ((${tests}) && ${admins}) {\n` +
    '    return polkit.Result.NO;\n' +
    '  }\n' +
    '});\n'
  );
}

export const removableMediaEnforcer: SettingEnforcer = {
  name: 'removable-media',
  settings: ['removableMedia.allowed', 'removableMedia.requireEncryption'],

  async apply(settings: PolicySettings, system: SystemWriter): Promise<Unenforced[]> {
    const start = await beginApply(this, settings, system, 'udevadm');
    if (!start.ready) {
      return start.unenforced;
    }
    const { paths, program: udevadm } = start;
    const off = !settings.removableMedia.allowed;
    const unenforced: Unenforced[] = [];
    let trigger: string[];
    if (off) {
      // Everything off: encryption required or not, there is nothing left to mount.
      await system.writeFile(
        MEDIA_UDEV_RULE,
        `${writtenBy('removableMedia.allowed = false')}` +
          `ACTION=="add", SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_interface", ATTR{bInterfaceClass}=="${USB_STORAGE_CLASS}", ATTR{authorized}="0"\n`,
        0o644,
      );
      trigger = [
        'trigger',
        '--action=add',
        '--subsystem-match=usb',
        `--attr-match=bInterfaceClass=${USB_STORAGE_CLASS}`,
      ];
      if (await system.exists(POLKIT_DIR)) {
        await system.writeFile(
          MEDIA_POLKIT_RULE,
          polkitDenyRule('removableMedia.allowed = false', [
            'org.freedesktop.udisks2.filesystem-mount',
            'org.freedesktop.udisks2.filesystem-mount-other-seat',
          ]),
          0o644,
        );
      } else {
        unenforced.push({
          path: 'removableMedia.allowed',
          reason: 'polkit is not installed: drives that are not USB can still be mounted',
        });
      }
    } else {
      const blockdev = await system.which('blockdev');
      if (!blockdev) {
        return allUnenforced(paths, 'blockdev is not installed');
      }
      await system.removeFile(MEDIA_POLKIT_RULE);
      await system.writeFile(
        MEDIA_UDEV_RULE,
        `${writtenBy('removableMedia.requireEncryption = true')}` +
          `ACTION=="add|change", SUBSYSTEM=="block", ENV{ID_BUS}=="usb", ENV{ID_FS_USAGE}=="filesystem", RUN+="${blockdev} --setro $devnode"\n`,
        0o644,
      );
      trigger = ['trigger', '--action=change', '--subsystem-match=block'];
    }
    try {
      await system.run(udevadm, ['control', '--reload-rules']);
      await system.run(udevadm, trigger);
    } catch (error) {
      return allUnenforced(paths, describeFailure('udevadm', error));
    }
    return unenforced;
  },

  async remove(system: SystemWriter): Promise<void> {
    const had = (await system.exists(MEDIA_UDEV_RULE)) || (await system.exists(MEDIA_POLKIT_RULE));
    if (!had) {
      return;
    }
    await system.removeFile(MEDIA_UDEV_RULE);
    await system.removeFile(MEDIA_POLKIT_RULE);
    const udevadm = await system.which('udevadm');
    if (udevadm) {
      await system.run(udevadm, ['control', '--reload-rules']).catch(() => undefined);
    }
  },
};
