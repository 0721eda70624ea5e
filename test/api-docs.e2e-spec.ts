// The hub describes itself (issue 9): every operation in /api/docs has a summary, the roles that
// may call it (read from its access rule), its success answer and the errors that apply; the
// device protocol is an AsyncAPI 3.0 document whose payload schemas are the very schemas the hub
// validates device messages with.
import { schemasWithoutId as asyncApiSpecs } from '@asyncapi/specs';
import Ajv from 'ajv';
import {
  COMMAND_ANSWER_SCHEMA,
  COMMAND_ENVELOPE_SCHEMA,
  COMMAND_PAYLOAD_SCHEMAS,
  COMMAND_TYPES,
  createProtocolAjv,
  DEVICE_MESSAGE_VALIDATORS,
  DEVICE_STATE_SCHEMA,
  validateCommandAnswer,
  validateDeviceState,
} from '@app/devices';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_SETTINGS_SCHEMA, SCHOOL_BASELINE, SETTING_PATHS } from '@app/policy';
import { buildAsyncApiDocument, payloadSchemaName } from '../apps/hub/src/api-docs/asyncapi';
import { rolesOf } from '../apps/hub/src/api-docs/openapi';
import { RouteAccessCheck } from '../apps/hub/src/common/route-access.check';
import { startHub, TestHub } from './support/hub';

type Json = Record<string, unknown>;
interface Operation {
  summary?: string;
  description?: string;
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses: Record<string, { description?: string }>;
  'x-roles'?: string[];
  'x-access'?: string;
}

const METHODS = ['get', 'head', 'options', 'put', 'post', 'delete', 'patch'];

/** Every $ref of the form #/a/b/c in `value`, replaced by what it points at in `document`. */
function dereference(value: unknown, document: Json, seen: string[] = []): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => dereference(item, document, seen));
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    if (seen.includes(ref)) {
      throw new Error(`circular $ref ${ref}`);
    }
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document);
    if (target === undefined) {
      throw new Error(`$ref ${ref} points at nothing`);
    }
    return dereference(target, document, [...seen, ref]);
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, dereference(inner, document, seen)]),
  );
}

describe('The API describes itself', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub();
  });

  afterAll(async () => {
    await hub.close();
  });

  describe('GET /api/docs-json (OpenAPI)', () => {
    let document: { paths: Record<string, Record<string, Operation>>; components: Json };
    let operations: { name: string; operation: Operation }[];

    beforeAll(async () => {
      const response = await hub.http.get('/api/docs-json').expect(200);
      document = response.body as typeof document;
      operations = Object.entries(document.paths).flatMap(([path, item]) =>
        METHODS.filter((method) => item[method]).map((method) => ({
          name: `${method.toUpperCase()} ${path}`,
          operation: item[method],
        })),
      );
    });

    it('describes every route the hub has, with the roles its access rule gives', () => {
      const routes = hub.app.get(RouteAccessCheck).routes();
      expect(routes.length).toBeGreaterThan(30);
      for (const route of routes) {
        const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        const operation = document.paths[path]?.[route.method.toLowerCase()];
        expect({ route: `${route.method} ${route.path}`, described: Boolean(operation) }).toEqual({
          route: `${route.method} ${route.path}`,
          described: true,
        });
        expect(operation['x-roles']).toEqual(rolesOf(route.rule!));
        expect(operation['x-access']).toBe(route.rule!.kind);
      }
      expect(operations).toHaveLength(routes.length);
    });

    it('gives every operation a summary, its roles, its success answer and the errors that apply', () => {
      const faults: string[] = [];
      for (const { name, operation } of operations) {
        const fault = (what: string) => faults.push(`${name}: ${what}`);
        if (!operation.summary?.trim()) {
          fault('no summary');
        }
        const roles = operation['x-roles'];
        if (!Array.isArray(roles) || roles.length === 0) {
          fault('no x-roles');
        }
        if (!operation.description?.startsWith('Roles: ')) {
          fault('the description does not start with its roles');
        }
        const success = Object.entries(operation.responses).filter(([status]) =>
          /^2\d\d$/.test(status),
        );
        if (success.length === 0 || !success.every(([, answer]) => answer.description?.trim())) {
          fault('no described success answer');
        }
        const has = (status: number) => Boolean(operation.responses[String(status)]?.description);
        const takesInput = (operation.parameters ?? []).length > 0 || operation.requestBody;
        if (takesInput && !has(400)) {
          fault('takes input but has no 400');
        }
        if (operation['x-access'] !== 'public' && !has(401)) {
          fault('needs a caller but has no 401');
        }
        if (operation['x-access'] === 'staff' && !roles?.includes('any staff') && !has(403)) {
          fault('needs a role but has no 403');
        }
        if (operation.requestBody && !has(413)) {
          fault('takes a body but has no 413');
        }
      }
      expect(faults).toEqual([]);
    });

    it('states the roles in words and as x-roles, as the guard enforces them', async () => {
      const issue = document.paths['/api/devices/{id}/commands'].post;
      expect(issue['x-roles']).toEqual(['ict', 'teacher']);
      expect(issue.description).toMatch(/^Roles: staff with ict, teacher\./);
      expect(document.paths['/api/auth/login'].post['x-roles']).toEqual(['public']);
      // What the document says is what the hub does: a teacher may not read the audit log.
      const audit = document.paths['/api/audit'].get;
      expect(audit['x-roles']).not.toContain('teacher');
      expect(audit.responses['403'].description).toMatch(/none of the roles/);
    });

    it('describes a command request as one of the command types, each with its payload', () => {
      const schemas = document.components.schemas as Record<string, Json>;
      const issue = schemas.IssueCommandDto as {
        oneOf: { $ref: string }[];
        discriminator: { propertyName: string; mapping: Record<string, string> };
      };
      expect(issue.discriminator.propertyName).toBe('type');
      expect(Object.keys(issue.discriminator.mapping).sort()).toEqual(
        COMMAND_TYPES.filter((type) => type !== 'policy.apply').sort(),
      );
      const lock = dereference(
        { $ref: issue.discriminator.mapping['device.lock'] },
        document as unknown as Json,
      ) as { properties: { type: Json; payload: Json } };
      expect(lock.properties.type).toEqual({ type: 'string', enum: ['device.lock'] });
      expect(lock.properties.payload).toEqual(
        JSON.parse(JSON.stringify(COMMAND_PAYLOAD_SCHEMAS['device.lock'])),
      );
    });

    it('describes policy settings as their schema', () => {
      const schemas = document.components.schemas as Record<string, Json>;
      expect(schemas.PolicySettings).toEqual(JSON.parse(JSON.stringify(POLICY_SETTINGS_SCHEMA)));
      const create = dereference(schemas.CreatePolicyDto, document as unknown as Json) as {
        properties: { settings: { allOf: { properties: Json }[] } };
      };
      expect(Object.keys(create.properties.settings.allOf[0].properties)).toEqual(
        Object.keys(SCHOOL_BASELINE),
      );
    });
  });

  describe('docs/protocol.md, the device protocol for people', () => {
    const text = readFileSync(join(__dirname, '..', 'docs', 'protocol.md'), 'utf8');
    /** The text of the `## N.` section, up to the next `## `. */
    const section = (number: number) => {
      const start = text.search(new RegExp(`^## ${number}\\. `, 'm'));
      expect(start).toBeGreaterThanOrEqual(0);
      const rest = text.slice(start + 3);
      const end = rest.search(/^## /m);
      return end < 0 ? rest : rest.slice(0, end);
    };

    it('has a section for each section of the contract, version 1.1, in its order', () => {
      // The contract's own headings (the shared protocol.md, version 1.1).
      const headings = text.split('\n').filter((line) => /^## /.test(line));
      expect(text.split('\n')[0]).toBe('# The device protocol, version 1.1');
      expect(headings.slice(0, 6)).toEqual([
        '## 1. Enrolment',
        '## 2. Device proof',
        '## 3. The `/device` namespace',
        '## 4. PolicySettings',
        '## 5. Photos',
        '## Versions',
      ]);
    });

    it('describes every policy setting in section 4', () => {
      const four = section(4);
      const missing = SETTING_PATHS.filter(
        (path) => !four.includes(`\`${path}\``) && !four.includes(`\`${path.split('.')[1]}\``),
      );
      expect(missing).toEqual([]);
    });

    it('names every route a device calls, and never says a served route is not served', () => {
      const routes = hub.app.get(RouteAccessCheck).routes();
      const deviceRoutes = routes.filter(
        (route) => route.rule?.kind === 'device' || route.path === '/api/enroll',
      );
      expect(deviceRoutes.length).toBeGreaterThanOrEqual(6);
      const unnamed = deviceRoutes
        .map((route) => ({ route, path: route.path.replace(/\/:[A-Za-z0-9_]+$/, '/<') }))
        .filter(({ path }) => !text.includes(path))
        .map(({ route }) => `${route.method} ${route.path}`);
      expect(unnamed).toEqual([]);
      const five = section(5);
      for (const path of ['/api/photos/uploads', '/api/photos/receipts/<sha256>', '460']) {
        expect(five).toContain(path);
      }
      expect(text).not.toMatch(/not served|does not implement/i);
    });
  });

  describe('GET /api/docs/asyncapi.json (AsyncAPI)', () => {
    let document: Json & { components: { schemas: Json; messages: Record<string, Json> } };

    beforeAll(async () => {
      // Public: no token.
      const response = await hub.http.get('/api/docs/asyncapi.json').expect(200);
      document = response.body as typeof document;
    });

    it('is a valid AsyncAPI 3.0.0 document by the specification’s own JSON Schema', () => {
      expect(document).toMatchObject({
        asyncapi: '3.0.0',
        info: { title: expect.any(String), version: '1.1.0' },
        channels: { device: { address: '/device' } },
      });
      for (const key of ['servers', 'channels', 'operations', 'components']) {
        expect(document).toHaveProperty(key);
      }
      const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
      const validate = ajv.compile(asyncApiSpecs['3.0.0'] as object);
      const valid = validate(document);
      expect(valid ? [] : validate.errors?.slice(0, 5)).toEqual([]);
    });

    it('describes the handshake, events both ways, the answer and the state report', () => {
      const operations = document.operations as Record<
        string,
        { action: string; messages: { $ref: string }[]; reply?: { messages: { $ref: string }[] } }
      >;
      expect(operations.acceptDevice.action).toBe('receive');
      expect(operations.sendCommand).toMatchObject({
        action: 'send',
        messages: [{ $ref: '#/channels/device/messages/command' }],
        reply: { messages: [{ $ref: '#/channels/device/messages/commandAnswer' }] },
      });
      expect(operations.receiveState).toMatchObject({
        action: 'receive',
        messages: [{ $ref: '#/channels/device/messages/state' }],
      });
      const answer = dereference(document.components.messages.commandAnswer.payload, document) as {
        properties: { unenforced: { type: string; items: Json } };
      };
      expect(answer.properties.unenforced.type).toBe('array');
      const command = document.components.messages.command.payload as { oneOf: unknown[] };
      expect(command.oneOf).toHaveLength(COMMAND_TYPES.length);
    });

    it('has message payload schemas that all compile with ajv and the protocol keywords', () => {
      const ajv = createProtocolAjv();
      for (const [name, message] of Object.entries(document.components.messages)) {
        const payload = dereference(message.payload, document) as object;
        expect({ name, compiles: (() => Boolean(ajv.compile(payload)))() }).toEqual({
          name,
          compiles: true,
        });
      }
    });

    it('serves the very schema objects the hub validates device messages with', () => {
      const built = buildAsyncApiDocument();
      const schemas = built.components.schemas as Record<string, unknown>;
      expect(schemas.DeviceState).toBe(DEVICE_MESSAGE_VALIDATORS.state.schema);
      expect(schemas.CommandAnswer).toBe(DEVICE_MESSAGE_VALIDATORS.answer.schema);
      expect(schemas.CommandEnvelope).toBe(DEVICE_MESSAGE_VALIDATORS.envelope.schema);
      for (const type of COMMAND_TYPES) {
        expect(schemas[payloadSchemaName(type)]).toBe(
          DEVICE_MESSAGE_VALIDATORS.payloads[type].schema,
        );
      }
      // And what is served over HTTP is those objects, unchanged.
      const served = document.components.schemas;
      expect(served.DeviceState).toEqual(JSON.parse(JSON.stringify(DEVICE_STATE_SCHEMA)));
      expect(served.CommandAnswer).toEqual(JSON.parse(JSON.stringify(COMMAND_ANSWER_SCHEMA)));
      expect(served.CommandEnvelope).toEqual(JSON.parse(JSON.stringify(COMMAND_ENVELOPE_SCHEMA)));
    });

    it('refuses and accepts what the hub refuses and accepts, when compiled from the served document', () => {
      const ajv = createProtocolAjv();
      const state = ajv.compile(
        dereference(document.components.messages.state.payload, document) as object,
      );
      const answer = ajv.compile(
        dereference(document.components.messages.commandAnswer.payload, document) as object,
      );
      const states: unknown[] = [
        { locked: false, appLock: null, policyVersion: null },
        { locked: false, appLock: null, policyVersion: null, battery: 101 },
        { locked: false, appLock: null, policyVersion: null, osVersion: 'x\u0000' },
        { locked: 'no', appLock: null, policyVersion: null },
        { locked: true, appLock: 'com.apple.Pages', policyVersion: 'a'.repeat(64), ssid: null },
      ];
      for (const sent of states) {
        expect(state(sent)).toBe(validateDeviceState(sent).ok);
      }
      const answers: unknown[] = [
        { status: 'acknowledged', unenforced: ['camera.allowed'] },
        { status: 'error', unenforced: ['camera.allowed'] },
        { status: 'acknowledged', unenforced: ['camera'] },
        { status: 'not_now', detail: 'on battery saver' },
      ];
      for (const sent of answers) {
        expect(answer(sent)).toBe(validateCommandAnswer(sent).ok);
      }
    });
  });
});
