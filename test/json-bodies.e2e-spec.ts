// The staff API takes JSON bodies only: a form or a text body is a 415 (a probe made a class from
// a form post, and a JSON text sent as text/plain was read as no fields at all).
import { as } from './support/classroom';
import { createStaff, startHub, TestHub } from './support/hub';

describe('bodies that are not JSON', () => {
  let hub: TestHub;
  let admin: string;
  let teacherId: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await hub.login();
    teacherId = (await createStaff(hub, admin, 'jbteacher', ['teacher'])).id;
  });
  afterAll(() => hub.close());

  const classNames = async () =>
    (
      (await hub.http.get('/api/classes').set('Authorization', as(admin))).body as {
        name: string;
      }[]
    ).map((c) => c.name);

  it('refuses a form post and a JSON text sent as another type with 415, and keeps nothing', async () => {
    const form = await hub.http
      .post('/api/classes')
      .set('Authorization', as(admin))
      .type('form')
      .send(`name=Form%20class&teacherIds[]=${teacherId}`);
    expect(form.status).toBe(415);
    expect(form.body.message).toBe(
      'Send the body as JSON (Content-Type: application/json), not application/x-www-form-urlencoded',
    );
    for (const type of ['text/plain', 'application/vnd.api+json']) {
      const text = await hub.http
        .post('/api/classes')
        .set('Authorization', as(admin))
        .set('Content-Type', type)
        .send(JSON.stringify({ name: 'Text class', teacherIds: [teacherId] }));
      expect([type, text.status]).toEqual([type, 415]);
    }
    const login = await hub.http
      .post('/api/auth/login')
      .type('form')
      .send('username=admin&password=whatever');
    expect(login.status).toBe(415);
    expect(await classNames()).not.toEqual(expect.arrayContaining(['Form class', 'Text class']));
  });

  it('takes JSON with a charset, and requests without a body of any type', async () => {
    const made = await hub.http
      .post('/api/classes')
      .set('Authorization', as(admin))
      .set('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ name: 'Year 6 Yew', teacherIds: [teacherId] }));
    expect(made.status).toBe(201);
    const id = (made.body as { id: string }).id;
    expect(await classNames()).toContain('Year 6 Yew');
    const read = await hub.http
      .get(`/api/classes/${id}`)
      .set('Authorization', as(admin))
      .set('Content-Type', 'text/plain');
    expect(read.status).toBe(200);
  });
  it("says in words that a body is not valid JSON, not in JavaScript's", async () => {
    const answers: string[] = [];
    for (const body of ['{"name":', 'null', '"Year 4"', "{'name': 'Oak'}"]) {
      const response = await hub.http
        .post('/api/classes')
        .set('Authorization', as(admin))
        .set('Content-Type', 'application/json')
        .send(body);
      answers.push(`${body} ${response.status} ${response.body.message}`);
    }
    expect(answers).toEqual([
      '{"name": 400 The request body is not valid JSON',
      'null 400 The request body is not valid JSON',
      '"Year 4" 400 The request body is not valid JSON',
      "{'name': 'Oak'} 400 The request body is not valid JSON",
    ]);
  });
});
