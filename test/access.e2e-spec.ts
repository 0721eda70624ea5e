// Every route states who may call it, and the hub holds to it: walks every HTTP route the hub
// serves, so a route added later without a rule, or one that forgets to check, fails here.
import { randomUUID } from 'node:crypto';
import type { AccessRule } from '../apps/hub/src/common/access';
import { STAFF_ROLES, StaffRole } from '../apps/hub/src/common/roles';
import { RouteAccess, RouteAccessCheck } from '../apps/hub/src/common/route-access.check';
import { createStaff, startHub, TestHub } from './support/hub';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';

describe('route access', () => {
  let hub: TestHub;
  let routes: RouteAccess[];
  /** A signed-in account holding just that one role. */
  const tokenFor = {} as Record<StaffRole, string>;

  beforeAll(async () => {
    hub = await startHub();
    routes = hub.app.get(RouteAccessCheck).routes();
    const admin = await hub.login();
    for (const role of STAFF_ROLES) {
      tokenFor[role] = (
        await createStaff(hub, admin, `only-${role.replace('_', '-')}`, [role])
      ).token;
    }
  });
  afterAll(() => hub.close());

  /** Calls a route with every `:param` replaced by a random UUID. */
  function call(route: RouteAccess, headers: Record<string, string> = {}) {
    const path = route.path.replace(/:[A-Za-z0-9_]+/g, () => randomUUID());
    const method = (route.method === 'ALL' ? 'get' : route.method.toLowerCase()) as Method;
    let request = hub.http[method](path);
    for (const [name, value] of Object.entries(headers)) {
      request = request.set(name, value);
    }
    return request;
  }

  const describeRoute = (route: RouteAccess) => `${route.method} ${route.path}`;

  it('finds the routes of every module', () => {
    const names = routes.map(describeRoute);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /api/auth/login',
        'GET /api/health',
        'POST /api/staff',
        'PATCH /api/staff/:id',
        'GET /api/audit',
        'GET /api/audit/export.csv',
        'PUT /api/aup',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every route an access rule', () => {
    const withoutRule = routes.filter((route) => !route.rule).map(describeRoute);
    expect(withoutRule).toEqual([]);
  });

  it('keeps public only the routes meant to be public', () => {
    const publicRoutes = routes.filter((route) => route.rule?.kind === 'public').map(describeRoute);
    // Enrolment routes carry their own credential (an enrolment token), so they may be public too.
    const unexpected = publicRoutes.filter(
      (name) =>
        ![
          'POST /api/auth/login',
          'GET /api/health',
          // The device protocol's description, like /api/docs (issue 9).
          'GET /api/docs/asyncapi.json',
          // The hub's CA, for devices and iPads to trust it, and the school's name (issue 9).
          'GET /api/ca.pem',
          'GET /api/ca.mobileconfig',
          'GET /api/school',
        ].includes(name) && !/\/enrol/.test(name),
    );
    expect(publicRoutes).toEqual(
      expect.arrayContaining(['POST /api/auth/login', 'GET /api/health']),
    );
    expect(unexpected).toEqual([]);
  });

  it('answers 401 on every non-public route when called without a token', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((r) => r.rule?.kind !== 'public')) {
      const response = await call(route);
      answers.push(`${describeRoute(route)} -> ${response.status}`);
    }
    expect(answers.filter((answer) => !answer.endsWith('-> 401'))).toEqual([]);
  });

  it('answers 401 on every staff route for a token that is not a session', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((r) => r.rule?.kind === 'staff')) {
      const response = await call(route, { Authorization: `Bearer ${'x'.repeat(43)}` });
      answers.push(`${describeRoute(route)} -> ${response.status}`);
    }
    expect(answers.filter((answer) => !answer.endsWith('-> 401'))).toEqual([]);
  });

  it('answers 403 on every role-limited route for staff without one of its roles', async () => {
    const answers: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const rule = route.rule as AccessRule;
      if (rule.kind !== 'staff' || rule.roles === 'any') {
        continue;
      }
      const allowed = rule.roles;
      for (const role of STAFF_ROLES.filter((r) => !allowed.includes(r))) {
        const response = await call(route, { Authorization: `Bearer ${tokenFor[role]}` });
        answers.push(`${describeRoute(route)} as ${role} -> ${response.status}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(answers.filter((answer) => !answer.endsWith('-> 403'))).toEqual([]);
  });

  it('lets staff with one of its roles past the check on every role-limited route', async () => {
    const answers: string[] = [];
    for (const route of routes) {
      const rule = route.rule as AccessRule;
      if (rule.kind !== 'staff' || rule.roles === 'any') {
        continue;
      }
      const response = await call(route, { Authorization: `Bearer ${tokenFor[rule.roles[0]]}` });
      answers.push(`${describeRoute(route)} as ${rule.roles[0]} -> ${response.status}`);
    }
    // Past the access check the route may still refuse the (empty) request, but not as 401/403.
    expect(answers.filter((answer) => /-> 40[13]$/.test(answer))).toEqual([]);
  });

  it('describes the API from the code at /api/docs-json', async () => {
    const response = await hub.http.get('/api/docs-json');

    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/api/staff', '/api/staff/{id}', '/api/auth/login', '/api/audit']),
    );
    const login = response.body.paths['/api/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/LoginDto',
    );
    expect(Object.keys(response.body.components.schemas.CreateStaffDto.properties).sort()).toEqual([
      'displayName',
      'email',
      'password',
      'roles',
      'username',
    ]);

    const page = await hub.http.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger');
  });
});
