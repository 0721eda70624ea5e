// The screen lock after idle (screen.autoLockMinutes), for GNOME: system dconf settings, locked so
// a user cannot change them, then `dconf update`. Other desktops are reported unenforced.

import type { PolicySettings } from '@app/policy';
import { describeFailure, type SystemWriter } from '../system-writer';
import {
  beginApply,
  allUnenforced,
  writtenBy,
  type SettingEnforcer,
  type Unenforced,
} from './setting-enforcer';

export const DCONF_PROFILE = '/etc/dconf/profile/user';
export const DCONF_SETTINGS = '/etc/dconf/db/local.d/00-classroom-screen-lock';
export const DCONF_LOCKS = '/etc/dconf/db/local.d/locks/00-classroom-screen-lock';
/** Present where GNOME's lock screen settings exist. */
export const GNOME_SCREENSAVER_SCHEMA =
  '/usr/share/glib-2.0/schemas/org.gnome.desktop.screensaver.gschema.xml';

const LOCKED_KEYS = [
  '/org/gnome/desktop/session/idle-delay',
  '/org/gnome/desktop/screensaver/idle-activation-enabled',
  '/org/gnome/desktop/screensaver/lock-enabled',
  '/org/gnome/desktop/screensaver/lock-delay',
];

export const screenLockEnforcer: SettingEnforcer = {
  name: 'screen-lock',
  settings: ['screen.autoLockMinutes'],

  async apply(settings: PolicySettings, system: SystemWriter): Promise<Unenforced[]> {
    const start = await beginApply(this, settings, system, 'dconf');
    if (!start.ready) {
      return start.unenforced;
    }
    const { paths, program: dconf } = start;
    if (!(await system.exists(GNOME_SCREENSAVER_SCHEMA))) {
      return allUnenforced(paths, 'no GNOME desktop: only its lock screen is configured');
    }
    // dconf reads the system database only when the user profile names it.
    const profile = await system.readFile(DCONF_PROFILE);
    if (profile === null) {
      await system.writeFile(DCONF_PROFILE, 'user-db:user\nsystem-db:local\n', 0o644);
    } else if (!/^\s*system-db:local\s*$/m.test(profile)) {
      const separator = profile === '' || profile.endsWith('\n') ? '' : '\n';
      await system.writeFile(DCONF_PROFILE, `${profile}${separator}system-db:local\n`, 0o644);
    }
    const seconds = settings.screen.autoLockMinutes * 60;
    await system.writeFile(
      DCONF_SETTINGS,
      `${writtenBy('screen.autoLockMinutes')}` +
        '[org/gnome/desktop/session]\n' +
        `idle-delay=uint32 ${seconds}\n\n` +
        '[org/gnome/desktop/screensaver]\n' +
        'idle-activation-enabled=true\n' +
        'lock-enabled=true\n' +
        'lock-delay=uint32 0\n',
      0o644,
    );
    await system.writeFile(
      DCONF_LOCKS,
      `${writtenBy('screen.autoLockMinutes')}${LOCKED_KEYS.join('\n')}\n`,
      0o644,
    );
    try {
      await system.run(dconf, ['update']);
    } catch (error) {
      return allUnenforced(paths, describeFailure('dconf update', error));
    }
    return [];
  },

  async remove(system: SystemWriter): Promise<void> {
    if (!(await system.exists(DCONF_SETTINGS)) && !(await system.exists(DCONF_LOCKS))) {
      return;
    }
    await system.removeFile(DCONF_SETTINGS);
    await system.removeFile(DCONF_LOCKS);
    const dconf = await system.which('dconf');
    if (dconf) {
      await system.run(dconf, ['update']).catch(() => undefined);
    }
  },
};
