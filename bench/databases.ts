// npm run bench:databases — bench:link and bench:policy on SQLite, then both on PostgreSQL, one
// after another in one run (each as its own process, printing as it goes), and then their
// figures side by side. Options: --link-devices N --link-rounds N --storm 0|1
// --policy-devices N --policy-rounds N (each bench's own defaults otherwise), --pg URL (the
// PostgreSQL server; HUB_BENCH_PG, by default postgres://postgres@127.0.0.1:5432).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BENCH_POSTGRES, ROOT, runBench, stringArg } from './support';

type Figures = Record<string, number | string>;

/** Runs one bench (`dist/bench/<name>.js`) with `args`; resolves with the figures it wrote. */
function runOne(name: string, args: string[], jsonFile: string): Promise<Figures> {
  fs.rmSync(jsonFile, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'dist', 'bench', `${name}.js`), ...args, '--json', jsonFile],
      { cwd: ROOT, stdio: 'inherit' },
    );
    // Ctrl-C reaches the child through the terminal; a SIGTERM to this process is passed on.
    const onTerm = () => child.kill('SIGTERM');
    process.on('SIGTERM', onTerm);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGTERM', onTerm);
      if (code !== 0) {
        reject(new Error(`bench:${name} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
        return;
      }
      resolve(JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as Figures);
    });
  });
}

/** Passes `--<from>` of this command line on to a bench as `--<to>`. */
function passOn(from: string, to: string): string[] {
  const value = stringArg(from);
  return value === undefined ? [] : [`--${to}`, value];
}

/** One row of the table: a label, then the figure on each database with its unit. */
function row(label: string, key: string, unit: string, runs: Figures[]): string {
  const cells = runs.map((figures) =>
    figures[key] === undefined ? '—' : `${figures[key]}${unit}`,
  );
  return `  ${label.padEnd(44)}${cells.map((cell) => cell.padStart(14)).join('')}`;
}

runBench(async (cleanup) => {
  const server = stringArg('pg', BENCH_POSTGRES);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-databases-'));
  cleanup.add('remove the figures folder', async () =>
    fs.rmSync(tmp, { recursive: true, force: true }),
  );
  const linkArgs = [
    ...passOn('link-devices', 'devices'),
    ...passOn('link-rounds', 'rounds'),
    ...passOn('storm', 'storm'),
  ];
  const policyArgs = [...passOn('policy-devices', 'devices'), ...passOn('policy-rounds', 'rounds')];
  const databases = [
    { label: 'SQLite', db: 'sqlite' },
    { label: 'PostgreSQL', db: server },
  ];
  const link: Figures[] = [];
  const policy: Figures[] = [];
  for (const { label, db } of databases) {
    console.log(`\n=== bench:link on ${label} ===`);
    link.push(await runOne('link', [...linkArgs, '--db', db], path.join(tmp, 'link.json')));
    console.log(`\n=== bench:policy on ${label} ===`);
    policy.push(await runOne('policy', [...policyArgs, '--db', db], path.join(tmp, 'policy.json')));
  }

  const header = `  ${''.padEnd(44)}${databases.map((d) => d.label.padStart(14)).join('')}`;
  console.log(`\n=== side by side ===`);
  console.log(`bench:link (${link[0].devices} devices)`);
  console.log(header);
  console.log(row('held', 'heldDevices', '', link));
  console.log(row('hub RSS', 'rssMb', ' MB', link));
  console.log(row('RSS a device', 'kbPerDevice', ' KB', link));
  console.log(row('idle event-loop delay p99', 'idleLoopP99', ' ms', link));
  console.log(row('class lock p50', 'lockP50', ' ms', link));
  console.log(row('class lock p99', 'lockP99', ' ms', link));
  console.log(row('class lock max', 'lockMax', ' ms', link));
  console.log(row('storm: all back after the restart', 'stormBackS', ' s', link));
  console.log(row('storm: all delivered after the restart', 'stormDeliveredS', ' s', link));
  console.log(`bench:policy (${policy[0].devices} devices, ${policy[0].rounds} changes)`);
  console.log(header);
  console.log(row('99% acknowledged (median)', 'ack99Median', ' ms', policy));
  console.log(row('99% acknowledged (worst)', 'ack99Worst', ' ms', policy));
  console.log(row('all acknowledged (median)', 'ackAllMedian', ' ms', policy));
  console.log(row('all acknowledged (worst)', 'ackAllWorst', ' ms', policy));
  console.log(row('compliance all applied (median)', 'complianceMedian', ' ms', policy));
  console.log(row('compliance all applied (worst)', 'complianceWorst', ' ms', policy));
});
