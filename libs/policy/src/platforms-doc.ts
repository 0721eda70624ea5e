// Writes docs/policy-platforms.md from PLATFORM_SUPPORT (./platforms.ts). `npm run docs:platforms`
// saves it; a unit test fails when the committed page differs from what this makes.

import { PLATFORM_SUPPORT, type Support } from './platforms';
import { LIMITS, SETTING_PATHS } from './settings';

const INTRO = `# What each platform can enforce

<!-- Made by \`npm run docs:platforms\` from libs/policy/src/platforms.ts. Do not edit by hand:
     a unit test fails when this page and that table disagree. -->

A policy setting is a statement of intent. Whether a device can hold to it depends on the
platform. This page says, for each setting in \`PolicySettings\` (protocol section 4), how much of
it the two platforms this project serves enforce: a Linux laptop through the reference device
agent (\`apps/device-agent\`), and an iPad through the \`.mobileconfig\` profile that
\`@app/policy\` compiles (\`compileMobileconfig\`). There is no Windows or macOS agent yet.

The hub always sends the whole resolved policy. A device that applies it answers with the
settings it could not enforce (protocol 1.1, \`unenforced\`), and the hub shows its compliance as
\`partial\` with that list, or \`applied\` when the list is empty. The Linux agent reports a
setting unenforced when the table below says it cannot enforce it, and also when it could not
this time: not running as root, or a tool it needs (\`nmcli\`, \`udevadm\`, \`dconf\`) missing. A
setting whose value asks for nothing (the camera allowed, any network allowed) is never reported.

| mark                | meaning                                                          |
| ------------------- | ---------------------------------------------------------------- |
| **yes**             | the platform enforces it; a standard user cannot undo it         |
| **partly**          | enforced with gaps, listed in the notes                          |
| **supervised only** | only on an iPad supervised through Apple School Manager or Configurator |
| **no**              | not enforced; the setting is recorded and sent, and nothing more |
| **n/a**             | the platform has no such thing                                   |

Assumptions: the Linux agent runs as root through its systemd unit
(\`deploy/classroom-agent.service\`) and the person at the keyboard is a standard user. A local
administrator can undo anything the agent does.
`;

const OUTRO = `
## The profile as a whole

- \`compileMobileconfig\` writes one \`Configuration\` profile: a \`com.apple.applicationaccess\`
  payload (restrictions), a \`com.apple.mobiledevice.passwordpolicy\` payload (passcode), and one
  \`com.apple.wifi.managed\` payload per network. The same settings give the same bytes.
- \`signMobileconfig\` signs it as CMS SignedData (SHA-256), so the iPad shows it as verified when
  it trusts the signing CA.
- A profile installed by hand can be removed by the user in Settings. Only a supervised iPad
  enrolled in MDM can be stopped from removing it, and until the hub speaks MDM it cannot see
  that a profile was removed.
- The hub's own apps (\`org.devicehub.agent\`, \`org.devicehub.ipad\`) are always in
  \`apps.allowed\` and never in \`apps.blocked\`; \`@app/policy\` refuses any profile that says
  otherwise, so an allow list can never lock the hub out of a device.

## Limits every profile is checked against

\`@app/policy\` refuses a profile (naming the field, for example \`wifi.networks[0].password\`) that
breaks any of these, and checks the merged policy again, since leaves from different profiles can
contradict each other.

- \`screen.autoLockMinutes\`: a whole number from ${LIMITS.autoLockMinutes.min} to ${LIMITS.autoLockMinutes.max}. There is no "never".
- \`passcode.minLength\`: ${LIMITS.passcodeMinLength.min} to ${LIMITS.passcodeMinLength.max}.
- SSIDs: ${LIMITS.ssidBytes.min} to ${LIMITS.ssidBytes.max} bytes of UTF-8, no control characters.
- Wi-Fi passwords: ${LIMITS.wifiPassword.min} to ${LIMITS.wifiPassword.max} printable ASCII characters for \`wpa2\` and \`wpa3\`; none for \`open\`.
- A pushed network's SSID must be in \`wifi.allowedSsids\` when that list is not empty.
- App ids: ${LIMITS.appIdLength.min} to ${LIMITS.appIdLength.max} characters, no surrounding spaces or control characters.
- Lists: at most ${LIMITS.listEntries} entries, no duplicates. An app cannot be both allowed and blocked.
- Unknown keys are refused at every level.
`;

function mark(support: Support, note: number | null): string {
  return note === null ? support : `${support} ${note}`;
}

/** docs/policy-platforms.md as it must be: the table, its numbered notes, and the fixed text. */
export function renderPlatformDoc(): string {
  const notes: string[] = [];
  const noteFor = (platform: string, text: string): number | null => {
    if (!text) {
      return null;
    }
    notes.push(`${platform}: ${text}`);
    return notes.length;
  };
  const rows = SETTING_PATHS.map((path) => {
    const { linux, ipad } = PLATFORM_SUPPORT[path];
    const linuxNote = noteFor(`\`${path}\` on Linux`, linux.note);
    const ipadNote = noteFor(`\`${path}\` on iPadOS`, ipad.note);
    return [
      `\`${path}\``,
      mark(linux.support, linuxNote),
      linux.enforcer ? `\`${linux.enforcer}\`` : '—',
      mark(ipad.support, ipadNote),
      ipad.payload ?? '—',
    ];
  });
  const header = ['setting', 'Linux agent', 'Linux enforcer', 'iPadOS profile', 'iPad payload'];
  const table = [header, header.map(() => '---'), ...rows]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
  const numbered = notes.map((text, index) => `${index + 1}. ${text}`).join('\n');
  return `${INTRO}\n## The table\n\n${table}\n\n## Notes\n\n${numbered}\n${OUTRO}`;
}
