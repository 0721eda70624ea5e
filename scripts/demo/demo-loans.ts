// The demo school's loans (issue 13): the ten simulated loan laptops become assets LOAN-001 to
// LOAN-010 (their serial numbers match the enrolled devices), and three of them are lent at the
// office desk to three more members of staff, one loan already overdue. Loans go to staff only,
// and the borrowers are not the demo's sign-in accounts, whose AUP is left for their first
// sign-in: the borrowers accept it at the desk, as the office clerk witnesses.
import type { Asset, Device, Loan, Page, StaffAccount } from '@app/hub-api';
import { demoPassword } from './demo-school';
import type { HubClient } from './hub-client';

/** The borrowers: teaching staff with a laptop from the office. */
export const DEMO_BORROWERS = [
  { username: 'jbrown', displayName: 'Jo Brown' },
  { username: 'kwilson', displayName: 'Kim Wilson' },
  { username: 'lmorgan', displayName: 'Lee Morgan' },
] as const;

const DAY_MS = 86_400_000;
/** The overdue loan is made due this soon, then waited out: the hub refuses a due date passed. */
const OVERDUE_AFTER_MS = 1_500;

/**
 * Adds the loan laptops as assets and lends three: LOAN-001 to Jo Brown (overdue), LOAN-002 to
 * Kim Wilson (due in two days) and LOAN-003 to Lee Morgan (due in a week), each with the AUP
 * accepted at the desk. Resolves once the first shows as overdue.
 *
 * @throws HubRequestError when the hub refuses a step
 */
export async function addLoans(admin: HubClient, log: (line: string) => void): Promise<Loan[]> {
  const laptops = await admin.get<Page<Device>>('/api/devices?platform=linux&pageSize=100');
  const tagged = laptops.items
    .filter((device) => device.assetTag?.startsWith('LOAN-'))
    .sort((a, b) => (a.assetTag as string).localeCompare(b.assetTag as string));
  for (const device of tagged) {
    await admin.post<Asset>('/api/assets', {
      assetTag: device.assetTag,
      kind: 'laptop',
      serialNumber: device.serialNumber,
      model: 'Laptop (simulated)',
      condition: 'Good',
    });
  }
  const borrowers: StaffAccount[] = [];
  for (const person of DEMO_BORROWERS) {
    borrowers.push(
      await admin.post<StaffAccount>('/api/staff', {
        ...person,
        password: demoPassword(),
        roles: ['teacher'],
      }),
    );
  }
  const lend = (index: number, dueAt: Date) =>
    admin.post<Loan>('/api/loans', {
      assetTag: tagged[index].assetTag,
      borrowerId: borrowers[index].id,
      dueAt: dueAt.toISOString(),
      conditionOut: 'Good',
      aupAcceptedAtDesk: true,
    });
  const loans = [
    await lend(0, new Date(Date.now() + OVERDUE_AFTER_MS)),
    await lend(1, new Date(Date.now() + 2 * DAY_MS)),
    await lend(2, new Date(Date.now() + 7 * DAY_MS)),
  ];
  const deadline = Date.now() + 15_000;
  for (;;) {
    const overdue = await admin.get<Page<Loan>>('/api/loans?status=overdue&pageSize=10');
    if (overdue.items.some((loan) => loan.id === loans[0].id)) {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(`${loans[0].assetTag} did not become overdue`);
    }
    await new Promise((wake) => setTimeout(wake, 250));
  }
  log(`${tagged.length} loan laptops are assets; ${loans.length} lent, 1 overdue`);
  return loans;
}
