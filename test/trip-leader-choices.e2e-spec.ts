// The new-trip form's "Add another leader" search (GET /api/loans/borrowers?canLead=true) offers
// only the staff a trip may name as its leaders: enabled accounts holding the trip leader role or
// ICT, the rule POST /api/trips checks. Before, it offered every member of staff, and a trip
// leader who picked a teacher learned only from the hub's 400 that they could not lead.
import type { Borrower, Page } from '@app/hub-api';
import { createStaff, startHub, TestHub } from './support/hub';
import { TEST_DATABASE_NAME } from './support/test-database';

jest.setTimeout(120_000);

const HOUR = 60 * 60 * 1000;

describe(`the leaders a new trip is offered (${TEST_DATABASE_NAME})`, () => {
  let hub: TestHub;
  let admin: string;
  let leader: { id: string; token: string };

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    leader = await createStaff(hub, admin, 'kit-tess', ['trip_leader']);
  });

  afterAll(async () => {
    await hub.close();
  });

  /** A staff account made by ICT, with no sign-in of its own; its id. */
  async function account(username: string, roles: string[], disabled = false): Promise<string> {
    const made = await hub.http
      .post('/api/staff')
      .set('Authorization', `Bearer ${admin}`)
      .send({ username, displayName: username, password: 'Staff-Pass1!', roles });
    expect(made.status).toBe(201);
    const id = (made.body as { id: string }).id;
    if (disabled) {
      const off = await hub.http
        .patch(`/api/staff/${id}`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ disabled: true });
      expect(off.status).toBe(200);
    }
    return id;
  }

  /** The usernames the search gives `token` for `query`. */
  async function offered(token: string, query: string): Promise<string[]> {
    const answer = await hub.http
      .get(`/api/loans/borrowers?${query}`)
      .set('Authorization', `Bearer ${token}`);
    expect(answer.status).toBe(200);
    return (answer.body as Page<Borrower>).items.map((person) => person.username).sort();
  }

  function newTrip(leaderIds: string[]) {
    const now = hub.clock.nowMs();
    return hub.http
      .post('/api/trips')
      .set('Authorization', `Bearer ${leader.token}`)
      .send({
        name: 'Kit choosing walk',
        shortName: 'kit-walk',
        startsAt: new Date(now + HOUR).toISOString(),
        endsAt: new Date(now + 5 * HOUR).toISOString(),
        leaderIds,
        assetTags: ['KIT-LEAD-1'],
      });
  }

  it('offers a trip leader only the trip leaders and ICT, each of whom the hub then takes', async () => {
    const ids = {
      'kit-ian': await account('kit-ian', ['ict']),
      'kit-tom': await account('kit-tom', ['teacher', 'trip_leader']),
      'kit-tina': await account('kit-tina', ['teacher']),
      'kit-otto': await account('kit-otto', ['office']),
      'kit-sal': await account('kit-sal', ['safeguarding']),
      'kit-dora': await account('kit-dora', ['trip_leader'], true),
    };
    const made = await hub.http
      .post('/api/assets')
      .set('Authorization', `Bearer ${admin}`)
      .send({ assetTag: 'KIT-LEAD-1', kind: 'tablet' });
    expect(made.status).toBe(201);

    // Without canLead the search is the desk's (office and ICT): every enabled member of staff.
    expect(await offered(admin, 'search=kit-')).toEqual([
      'kit-ian',
      'kit-otto',
      'kit-sal',
      'kit-tess',
      'kit-tina',
      'kit-tom',
    ]);
    // For a trip's leaders: those holding the trip leader role or ICT, and enabled.
    expect(await offered(leader.token, 'search=kit-&canLead=true')).toEqual([
      'kit-ian',
      'kit-tess',
      'kit-tom',
    ]);
    expect(await offered(admin, 'search=kit-&canLead=true')).toEqual([
      'kit-ian',
      'kit-tess',
      'kit-tom',
    ]);
    expect(await offered(admin, 'search=kit-&canLead=false')).toHaveLength(6);

    // What it offers, the hub takes; what it leaves out, the hub refuses.
    const taken = await newTrip([leader.id, ids['kit-ian'], ids['kit-tom']]);
    expect(taken.status).toBe(201);
    for (const username of ['kit-tina', 'kit-otto', 'kit-sal', 'kit-dora'] as const) {
      const refused = await newTrip([leader.id, ids[username]]);
      expect([username, refused.status]).toEqual([username, 400]);
    }
  });

  it('refuses a canLead that is not true or false, naming it', async () => {
    const answer = await hub.http
      .get('/api/loans/borrowers?canLead=yes')
      .set('Authorization', `Bearer ${leader.token}`);
    expect(answer.status).toBe(400);
    expect((answer.body as { message: string }).message).toMatch(/canLead/);
  });
});
