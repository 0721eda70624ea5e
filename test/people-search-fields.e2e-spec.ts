// The staff search (GET /api/loans/borrowers) gives each role what its screen needs and no more.
// The office desk and ICT read whether each person accepted the current AUP (a check-out is
// refused without it unless the desk records it in person); a trip leader picking a trip's other
// leaders reads only id, display name and username, and only of those who may lead a trip.
// Before, a trip leader read everyone's AUP acceptance, and every member of staff.
import type { Borrower, Page } from '@app/hub-api';
import { createStaff, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

describe(`what the staff search tells each role (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let clerk: { id: string; token: string };
  let leader: { id: string; token: string };
  let newcomer: { id: string; token: string };

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    clerk = await createStaff(hub, admin, 'fld-olive', ['office']);
    leader = await createStaff(hub, admin, 'fld-tess', ['trip_leader']);
    // A trip leader who has not accepted the current AUP.
    newcomer = await createStaff(hub, admin, 'fld-nia', ['trip_leader'], 'Staff-Pass1!', {
      acceptAup: false,
    });
  });

  afterAll(async () => {
    await hub.close();
  });

  function search(token: string, query: string) {
    return hub.http.get(`/api/loans/borrowers?${query}`).set('Authorization', `Bearer ${token}`);
  }

  /** The people `token` is given for `query`, by username. */
  async function found(token: string, query: string): Promise<Record<string, Borrower>> {
    const answer = await search(token, query);
    expect(answer.status).toBe(200);
    const items = (answer.body as Page<Borrower>).items;
    return Object.fromEntries(items.map((person) => [person.username, person]));
  }

  it("tells a trip leader picking leaders only each person's id, name and username", async () => {
    const people = await found(leader.token, 'search=fld-&canLead=true');
    expect(Object.keys(people).sort()).toEqual(['fld-nia', 'fld-tess']);
    expect(people['fld-nia']).toEqual({
      id: newcomer.id,
      displayName: 'fld-nia',
      username: 'fld-nia',
    });
    expect(Object.keys(people['fld-tess']).sort()).toEqual(['displayName', 'id', 'username']);
  });

  it('tells the office desk and ICT whether each person accepted the current AUP', async () => {
    const atDesk = await found(clerk.token, 'search=fld-');
    expect(Object.keys(atDesk).sort()).toEqual(['fld-nia', 'fld-olive', 'fld-tess']);
    expect(atDesk['fld-nia']).toEqual({
      id: newcomer.id,
      displayName: 'fld-nia',
      username: 'fld-nia',
      disabled: false,
      aupAccepted: false,
    });
    expect(atDesk['fld-tess']).toMatchObject({ disabled: false, aupAccepted: true });
    const byIct = await found(admin, 'search=fld-&canLead=true');
    expect(byIct['fld-nia']).toMatchObject({ aupAccepted: false });
    expect(byIct['fld-tess']).toMatchObject({ aupAccepted: true });
  });

  it('refuses a trip leader a search of all staff, naming canLead', async () => {
    for (const query of ['search=fld-', 'search=fld-&canLead=false']) {
      const answer = await search(leader.token, query);
      expect([query, answer.status]).toEqual([query, 403]);
      expect((answer.body as { message: string }).message).toMatch(/canLead=true/);
    }
  });
});
