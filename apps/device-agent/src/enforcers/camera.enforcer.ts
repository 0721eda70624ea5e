// The camera off (camera.allowed = false), through a udev rule: USB video-class interfaces are not
// authorised (so no driver binds to a built-in webcam), and every video4linux capture device is
// taken away from the logged-in user. Numbered 71, after 70-uaccess.rules adds the `uaccess` tag
// and before 73-seat-late.rules acts on it, so the tag this rule takes off stays off.

import type { PolicySettings } from '@app/policy';
import { describeFailure, type SystemWriter } from '../system-writer';
import {
  beginApply,
  allUnenforced,
  writtenBy,
  type SettingEnforcer,
  type Unenforced,
} from './setting-enforcer';

export const CAMERA_RULE = '/etc/udev/rules.d/71-classroom-camera.rules';

/** USB interface class 0x0e: video (UVC). */
const USB_VIDEO_CLASS = '0e';

export const cameraEnforcer: SettingEnforcer = {
  name: 'camera',
  settings: ['camera.allowed'],

  async apply(settings: PolicySettings, system: SystemWriter): Promise<Unenforced[]> {
    const start = await beginApply(this, settings, system, 'udevadm');
    if (!start.ready) {
      return start.unenforced;
    }
    const { paths, program: udevadm } = start;
    await system.writeFile(
      CAMERA_RULE,
      `${writtenBy('camera.allowed = false')}` +
        `ACTION=="add", SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_interface", ATTR{bInterfaceClass}=="${USB_VIDEO_CLASS}", ATTR{authorized}="0"\n` +
        'SUBSYSTEM=="video4linux", ENV{ID_V4L_CAPABILITIES}=="*:capture:*", TAG-="uaccess", MODE="0000"\n',
      0o644,
    );
    try {
      await system.run(udevadm, ['control', '--reload-rules']);
      await system.run(udevadm, [
        'trigger',
        '--action=add',
        '--subsystem-match=usb',
        `--attr-match=bInterfaceClass=${USB_VIDEO_CLASS}`,
      ]);
      await system.run(udevadm, ['trigger', '--action=change', '--subsystem-match=video4linux']);
    } catch (error) {
      return allUnenforced(paths, describeFailure('udevadm', error));
    }
    return [];
  },

  async remove(system: SystemWriter): Promise<void> {
    if (!(await system.exists(CAMERA_RULE))) {
      return;
    }
    await system.removeFile(CAMERA_RULE);
    const udevadm = await system.which('udevadm');
    if (udevadm) {
      // Capture devices get their usual access back now; a de-authorised interface at restart.
      await system.run(udevadm, ['control', '--reload-rules']).catch(() => undefined);
      await system
        .run(udevadm, ['trigger', '--action=change', '--subsystem-match=video4linux'])
        .catch(() => undefined);
    }
  },
};
