// npm run bench:loans — the loan figures of issue 13, on a real hub process and a fresh database:
// - a school of `--assets` (default 2,000) assets, imported as one CSV, and `--past` (default
//   20,000) past loans written straight into the database while the hub is stopped (history is
//   not under test; reading it is), with `--overdue` (default 300) loans open and overdue;
// - the overdue list (GET /api/loans?status=overdue) and an asset's history
//   (GET /api/assets/:id/loans): p50/p99 over `--reads` (default 500) requests each, one at a time;
// - `--rate` (default 50) check-outs a second sent for `--seconds` (default 60), open loop (each
//   sent on its tick whatever the others are doing), each returned 10 s later so the shelf never
//   runs out; then, with the hub stopped, the database is read to show no loan lost (every 201 is
//   a row, and no other row was made) or doubled (no asset with two open loans);
// - `--races` (default 10) rounds of 20 parallel check-outs of one asset: how many succeeded.
// `--db postgres` runs on PostgreSQL (support.ts). Figures are printed, never asserted.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import {
  ADMIN_PASSWORD,
  benchDatabase,
  createFreshDatabase,
  HubProcess,
  numberArg,
  percentile,
  runBench,
  sleep,
  StaffApi,
  writeFigures,
} from './support';

const DAY = 24 * 60 * 60 * 1000;
/** How long a benchmark loan stays out before it is returned. */
const RETURN_AFTER_MS = 10_000;
const BORROWERS = 100;

interface LoanAnswer {
  id: string;
  assetId: string;
}

/** The hub's database, opened from this process while the hub is stopped. */
function openDatabase(env: Record<string, string>, dir: string): DataSource {
  return env.HUB_DB
    ? new DataSource({ type: 'postgres', url: env.HUB_DB })
    : new DataSource({ type: 'sqlite', database: path.join(dir, 'hub.sqlite') });
}

/** Placeholders for a multi-row INSERT: `$n` on PostgreSQL, `?` on SQLite. */
function placeholders(db: DataSource, rows: number, columns: number): string {
  const postgres = db.options.type === 'postgres';
  const tuples: string[] = [];
  for (let r = 0; r < rows; r += 1) {
    const slots: string[] = [];
    for (let c = 0; c < columns; c += 1) {
      slots.push(postgres ? `$${r * columns + c + 1}` : '?');
    }
    tuples.push(`(${slots.join(', ')}, false, false)`);
  }
  return tuples.join(', ');
}

/**
 * Writes `past` returned loans spread over the assets and the last two years, and `overdue` open
 * loans past due (their assets on loan), in chunks of 500 rows.
 */
async function seedHistory(
  db: DataSource,
  assetIds: readonly string[],
  borrowerIds: readonly string[],
  issuedBy: string,
  past: number,
  overdue: number,
): Promise<void> {
  const now = Date.now();
  const columns =
    'id, asset_id, borrower_id, issued_by, issued_at, due_at, returned_at, returned_by, condition_in, aup_accepted_at_desk, to_repair';
  const rows: unknown[][] = [];
  for (let i = 0; i < past; i += 1) {
    const issued = now - 2 * DAY - Math.floor(((i + 0.5) / past) * 730 * DAY);
    rows.push([
      randomUUID(),
      assetIds[i % assetIds.length],
      borrowerIds[i % borrowerIds.length],
      issuedBy,
      new Date(issued).toISOString(),
      new Date(issued + 14 * DAY).toISOString(),
      new Date(issued + 13 * DAY).toISOString(),
      issuedBy,
      'Good',
    ]);
  }
  const onLoan = assetIds.slice(0, overdue);
  onLoan.forEach((assetId, i) => {
    const issued = now - (20 + (i % 30)) * DAY;
    rows.push([
      randomUUID(),
      assetId,
      borrowerIds[i % borrowerIds.length],
      issuedBy,
      new Date(issued).toISOString(),
      new Date(issued + 14 * DAY).toISOString(),
      null,
      null,
      null,
    ]);
  });
  await db.transaction(async (tx) => {
    for (let start = 0; start < rows.length; start += 500) {
      const part = rows.slice(start, start + 500);
      await tx.query(
        `INSERT INTO loans (${columns}) VALUES ${placeholders(db, part.length, 9)}`,
        part.flat(),
      );
    }
    for (let start = 0; start < onLoan.length; start += 500) {
      const part = onLoan.slice(start, start + 500);
      const postgres = db.options.type === 'postgres';
      await tx.query(
        `UPDATE assets SET status = 'on_loan' WHERE id IN (${part.map((_, i) => (postgres ? `$${i + 1}` : '?')).join(', ')})`,
        part,
      );
    }
  });
}

/** Times `count` GETs of `route(i)` one after another; returns the latencies in ms. */
async function timeReads(
  api: StaffApi,
  count: number,
  route: (i: number) => string,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await api.call('GET', route(i));
    times.push(performance.now() - started);
  }
  return times;
}

const ms = (value: number) => Math.round(value * 10) / 10;
const summary = (values: number[]) =>
  `p50 ${ms(percentile(values, 50))} ms, p99 ${ms(percentile(values, 99))} ms, max ${ms(Math.max(...values))} ms`;

/** A POST that answers with its status and body, whatever the status. */
async function send(
  url: string,
  bearer: string,
  route: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

runBench(async (cleanup) => {
  const assetCount = numberArg('assets', 2000);
  const past = numberArg('past', 20_000);
  const overdue = Math.min(numberArg('overdue', 300), assetCount / 2);
  const reads = numberArg('reads', 500);
  const rate = numberArg('rate', 50);
  const seconds = numberArg('seconds', 60);
  const races = numberArg('races', 10);

  // A fresh school every run: the figures are for exactly this much history.
  const database = await benchDatabase('loans');
  const dir = database.dir;
  for (const entry of fs.readdirSync(dir)) {
    fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  if (database.env.HUB_DB) {
    const url = new URL(database.env.HUB_DB);
    await createFreshDatabase(database.env.HUB_DB, url.pathname.slice(1));
  }
  const hub = new HubProcess(dir, numberArg('port', 18188), database.env);
  cleanup.add('stop the hub', () => hub.stop());
  console.log(`bench:loans on ${database.label}: ${assetCount} assets, ${past} past loans`);
  await hub.start();
  const api = new StaffApi(hub.url);
  await api.login();

  // The school: borrowers through the API, assets as one CSV import.
  const borrowerIds: string[] = [];
  for (let i = 0; i < BORROWERS; i += 1) {
    const account = await api.call<{ id: string }>('POST', '/api/staff', {
      username: `borrower${i}`,
      displayName: `Borrower ${i}`,
      password: ADMIN_PASSWORD,
      roles: ['teacher'],
    });
    borrowerIds.push(account.id);
  }
  const tags = Array.from({ length: assetCount }, (_, i) => `LT-${String(i + 1).padStart(5, '0')}`);
  const csv = ['assetTag,kind,serialNumber,model']
    .concat(tags.map((tag, i) => `${tag},laptop,BENCH-SN-${i + 1},ThinkPad T14`))
    .join('\n');
  const imported = await fetch(`${hub.url}/api/assets/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${await signIn(hub.url)}` },
    body: csv,
  });
  const report = (await imported.json()) as { created: number; errors: unknown[] };
  if (report.created !== assetCount) {
    throw new Error(`the import made ${report.created} assets: ${JSON.stringify(report.errors)}`);
  }
  const me = await api.call<{ id: string }>('GET', '/api/auth/me');
  await hub.stop();

  // The history, written while the hub is stopped.
  const seedStarted = Date.now();
  const db = openDatabase(database.env, dir);
  await db.initialize();
  const assetRows = (await db.query('SELECT id, asset_tag FROM assets ORDER BY asset_tag')) as {
    id: string;
    asset_tag: string;
  }[];
  await seedHistory(
    db,
    assetRows.map((a) => a.id),
    borrowerIds,
    me.id,
    past,
    overdue,
  );
  await db.destroy();
  console.log(`seeded ${past} past loans and ${overdue} overdue in ${Date.now() - seedStarted} ms`);

  await hub.start();
  await api.login();
  const bearer = await signIn(hub.url);
  // The reminder job's first look at the overdue loans happens at start; let it pass.
  await sleep(3000);

  // Reads.
  await timeReads(api, 20, () => '/api/loans?status=overdue');
  const overdueTimes = await timeReads(api, reads, () => '/api/loans?status=overdue&pageSize=50');
  const historyTimes = await timeReads(
    api,
    reads,
    (i) => `/api/assets/${assetRows[(i * 7919) % assetRows.length].id}/loans?pageSize=50`,
  );
  const firstOverdue = await api.call<{ total: number; items: { daysOverdue: number }[] }>(
    'GET',
    '/api/loans?status=overdue&pageSize=1',
  );
  console.log(`overdue list (${firstOverdue.total} overdue): ${summary(overdueTimes)}`);
  console.log(
    `an asset's history (~${Math.round(past / assetCount)} loans each): ${summary(historyTimes)}`,
  );

  // Sustained check-outs, each returned RETURN_AFTER_MS later.
  const shelf = assetRows.slice(overdue).map((a) => a.asset_tag);
  const dueAt = new Date(Date.now() + 14 * DAY).toISOString();
  const successes: LoanAnswer[] = [];
  const failures = new Map<number, number>();
  const checkOutTimes: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let returned = 0;
  let returnFailures = 0;
  let shelfEmpty = 0;
  let stopReturns = false;
  const total = rate * seconds;
  const phaseStart = new Date();
  const started = performance.now();
  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  for (let i = 0; i < total; i += 1) {
    const at = started + (i * 1000) / rate;
    const wait = at - performance.now();
    if (wait > 0) {
      await sleep(wait);
    }
    const tag = shelf.shift();
    if (!tag) {
      shelfEmpty += 1;
      continue;
    }
    track(
      (async () => {
        const sent = performance.now();
        const answer = await send(hub.url, bearer, '/api/loans', {
          assetTag: tag,
          borrowerId: borrowerIds[i % borrowerIds.length],
          dueAt,
          aupAcceptedAtDesk: true,
        });
        checkOutTimes.push(performance.now() - sent);
        if (answer.status !== 201) {
          failures.set(answer.status, (failures.get(answer.status) ?? 0) + 1);
          shelf.push(tag);
          return;
        }
        const loan = answer.body as LoanAnswer;
        successes.push(loan);
        await sleep(RETURN_AFTER_MS);
        if (stopReturns) {
          return;
        }
        const back = await send(hub.url, bearer, `/api/loans/${loan.id}/return`, {
          condition: 'Good',
        });
        if (back.status === 200) {
          returned += 1;
          shelf.push(tag);
        } else {
          returnFailures += 1;
        }
      })(),
    );
  }
  const sentFor = (performance.now() - started) / 1000;
  stopReturns = true;
  await Promise.all([...inFlight]);
  const achieved = successes.length / sentFor;
  console.log(
    `check-outs: ${successes.length} of ${total} in ${sentFor.toFixed(1)} s (${achieved.toFixed(1)}/s), ` +
      `${returned} returned; ${summary(checkOutTimes)}` +
      (failures.size ? `; refused ${JSON.stringify(Object.fromEntries(failures))}` : '') +
      (returnFailures ? `; ${returnFailures} returns failed` : '') +
      (shelfEmpty ? `; shelf empty ${shelfEmpty} times` : ''),
  );

  // 20 parallel check-outs of one asset, `races` times.
  const raceWins: number[] = [];
  const raceOther: number[] = [];
  for (let round = 0; round < races; round += 1) {
    const tag = shelf.shift() as string;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, j) =>
        send(hub.url, bearer, '/api/loans', {
          assetTag: tag,
          borrowerId: borrowerIds[j % borrowerIds.length],
          dueAt,
          aupAcceptedAtDesk: true,
        }),
      ),
    );
    raceWins.push(answers.filter((a) => a.status === 201).length);
    raceOther.push(answers.filter((a) => a.status !== 201 && a.status !== 409).length);
  }
  console.log(
    `20 parallel check-outs of one asset, ${races} rounds: succeeded ${JSON.stringify(raceWins)}` +
      `${raceOther.some((n) => n > 0) ? `; answers other than 201/409: ${JSON.stringify(raceOther)}` : ''}`,
  );
  await hub.stop();

  // Lost or doubled: read the database itself.
  const check = openDatabase(database.env, dir);
  await check.initialize();
  const postgres = check.options.type === 'postgres';
  const since = phaseStart.toISOString();
  const [{ n: madeDuring }] = (await check.query(
    `SELECT COUNT(*) AS n FROM loans WHERE issued_at >= ${postgres ? '$1' : '?'}`,
    [since],
  )) as { n: string | number }[];
  let found = 0;
  for (let start = 0; start < successes.length; start += 500) {
    const ids = successes.slice(start, start + 500).map((s) => s.id);
    const [{ n }] = (await check.query(
      `SELECT COUNT(*) AS n FROM loans WHERE id IN (${ids.map((_, i) => (postgres ? `$${i + 1}` : '?')).join(', ')})`,
      ids,
    )) as { n: string | number }[];
    found += Number(n);
  }
  const doubled = (await check.query(
    'SELECT asset_id FROM loans WHERE returned_at IS NULL GROUP BY asset_id HAVING COUNT(*) > 1',
  )) as unknown[];
  const [{ n: openLoans }] = (await check.query(
    'SELECT COUNT(*) AS n FROM loans WHERE returned_at IS NULL',
  )) as { n: string | number }[];
  const [{ n: onLoan }] = (await check.query(
    "SELECT COUNT(*) AS n FROM assets WHERE status = 'on_loan'",
  )) as { n: string | number }[];
  await check.destroy();
  const raceSuccesses = raceWins.reduce((a, b) => a + b, 0);
  const lost = successes.length - found;
  const extra = Number(madeDuring) - successes.length - raceSuccesses;
  console.log(
    `after: ${Number(madeDuring)} loans made during the run for ${successes.length + raceSuccesses} answered 201; ` +
      `${lost} lost, ${extra} unanswered extra, ${doubled.length} assets with two open loans; ` +
      `${Number(openLoans)} open loans, ${Number(onLoan)} assets on loan`,
  );

  writeFigures({
    db: database.label,
    assets: assetCount,
    pastLoans: past,
    overdueP50: ms(percentile(overdueTimes, 50)),
    overdueP99: ms(percentile(overdueTimes, 99)),
    historyP50: ms(percentile(historyTimes, 50)),
    historyP99: ms(percentile(historyTimes, 99)),
    checkOuts: successes.length,
    checkOutRate: Math.round(achieved * 10) / 10,
    checkOutP50: ms(percentile(checkOutTimes, 50)),
    checkOutP99: ms(percentile(checkOutTimes, 99)),
    lost,
    extra,
    doubled: doubled.length,
    raceWins: raceWins.join(','),
  });
});

/** A bearer token of the admin (signed in and past the AUP gate by StaffApi.login first). */
async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (!response.ok) {
    throw new Error(`sign-in: ${response.status} ${await response.text()}`);
  }
  return ((await response.json()) as { accessToken: string }).accessToken;
}
