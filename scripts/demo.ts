// `npm run demo`: the hub on a throwaway data directory with a demo school (staff for every role,
// 30 tablets in "Year 4 Oak", 10 loan laptops, two policies), its simulated devices connected and
// answering commands. Prints the console's address and the accounts; Ctrl-C stops the devices and
// the hub and deletes everything.
import * as path from 'node:path';
import { startDemoHub, type DemoHub } from './demo/demo-hub';
import {
  LAPTOP_COUNT,
  LAPTOP_GROUP,
  roleLabel,
  setUpDemoSchool,
  TABLET_COUNT,
  TABLET_GROUP,
  type DemoAccount,
  type DemoSchool,
} from './demo/demo-school';

/** The environment's HUB_PORT (default 8080, as the hub's), checked as the hub checks it. */
function demoPort(env: NodeJS.ProcessEnv): number {
  const text = env.HUB_PORT?.trim() || '8080';
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new Error(`HUB_PORT must be a whole number from 0 to 65535, got '${text}'`);
  }
  return port;
}

/** The block a person reads: where to go, who to sign in as, what is there. */
export function readyBlock(
  url: string,
  adminPassword: string,
  accounts: DemoAccount[],
  seconds: number,
): string {
  const rows = [
    ['Role', 'Username', 'Password'],
    ['Admin (every role)', 'admin', adminPassword],
    ...accounts.map((account) => [roleLabel(account.role), account.username, account.password]),
  ];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map(
    (row) => `    ${row[0].padEnd(widths[0])}   ${row[1].padEnd(widths[1])}   ${row[2]}`,
  );
  const rule = '='.repeat(72);
  return [
    '',
    rule,
    `  The demo school is ready (${seconds} s). Open the console: ${url}`,
    '',
    '  Sign in as (each new account accepts the AUP at first sign-in):',
    ...table,
    '',
    '  Devices, all simulated, online and answering commands:',
    `    ${TABLET_COUNT} tablets in "${TABLET_GROUP}": Oak 01 to Oak ${TABLET_COUNT}`,
    `    ${LAPTOP_COUNT} loan laptops in "${LAPTOP_GROUP}": Loan 01 to Loan ${LAPTOP_COUNT},` +
      ` asset tags LOAN-001 to LOAN-${String(LAPTOP_COUNT).padStart(3, '0')}`,
    `  Policies: the shipped "School baseline" for every device;`,
    `    "${TABLET_GROUP}" turns the camera off for its tablets.`,
    '',
    '  Passwords are new on every run. Ctrl-C stops the demo and deletes its data.',
    rule,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const port = demoPort(process.env);
  let hub: DemoHub | undefined;
  let school: DemoSchool | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (code: number) => {
    stopping ??= (async () => {
      process.stdout.write('\nStopping the demo: devices, then the hub; deleting its data...\n');
      await school?.stop().catch(() => undefined);
      await hub?.stop();
      process.exit(code);
    })();
    return stopping;
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    process.stdout.write(`Starting the hub on port ${port} with a throwaway data directory...\n`);
    hub = await startDemoHub({ port, host: process.env.HUB_HOST, env: process.env });
    process.stdout.write(`Setting up the demo school (data in ${hub.dataDir})...\n`);
    school = await setUpDemoSchool(hub.apiUrl, hub.adminPassword, {
      stateDir: path.join(hub.dataDir, 'simulated-devices'),
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
  } catch (error) {
    if (!stopping) {
      process.stderr.write(`The demo could not start: ${(error as Error).message}\n`);
      await stop(1);
    }
    return;
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(readyBlock(hub.url, hub.adminPassword, school.accounts, seconds));
}

void main();
