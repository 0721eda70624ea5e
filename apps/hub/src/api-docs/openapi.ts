// The OpenAPI document at /api/docs: every operation with its summary, who may call it, what it
// answers and how it can fail. Who may call it is read from the route's own access rule (the one
// the guard enforces), never written twice, so the description cannot drift from the guard; the
// statuses every route of a kind shares (401, 403, 400, 404, 413) follow from that rule and the
// route's shape; what is particular to a route is said beside it with `ApiRoute`. Command
// payloads and policy settings are the JSON Schemas of @app/devices and @app/policy.
import { applyDecorators, type INestApplication } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import {
  ApiExtension,
  ApiOperation,
  ApiResponse,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import type {
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { COMMAND_PAYLOAD_SCHEMAS, COMMAND_TYPES, type CommandType } from '@app/devices';
import { PARTIAL_POLICY_SETTINGS_SCHEMA, POLICY_SETTINGS_SCHEMA } from '@app/policy';
import { HUB_ONLY_COMMANDS } from '../commands/command.entity';
import type { AccessRule } from '../common/access';
import { RouteAccessCheck, type RouteAccess } from '../common/route-access.check';
import { payloadSchemaName } from './asyncapi';

/**
 * Error statuses a route may name, beyond those its access rule and shape already give it. 460 is
 * the device protocol's own (section 5: a completed photo upload that does not match its sha256).
 */
type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 460 | 503;

/** What one route says about itself in the API description. */
export interface RouteDescription {
  /** One line: what the route does, for a school. */
  summary: string;
  /** More, when a line is not enough. */
  description?: string;
  /** What the success answer is (its status comes from the route). */
  ok: string;
  /** How this route in particular can fail, and when. */
  errors?: Partial<Record<ErrorStatus, string>>;
}

const OK_KEY = 'x-ok';

/**
 * Describes a route in /api/docs: its summary, its success answer and its own error statuses.
 * Who may call it, and the 400/401/403/404/413 that follow from that and from its parameters
 * and body, are added from its access rule when the document is made (`describeApi`).
 */
export function ApiRoute(route: RouteDescription): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: route.summary, description: route.description }),
    ApiExtension(OK_KEY, route.ok),
    ...Object.entries(route.errors ?? {}).map(([status, description]) =>
      ApiResponse({ status: Number(status), description }),
    ),
  );
}

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch' | 'options' | 'head';

/** Role names for `x-roles`: the staff roles, or the one word for who else may call it. */
export function rolesOf(rule: AccessRule): string[] {
  switch (rule.kind) {
    case 'public':
      return ['public'];
    case 'device':
      return ['device'];
    case 'staff':
      return rule.roles === 'any' ? ['any staff'] : [...rule.roles];
  }
}

function rolesLine(rule: AccessRule): string {
  switch (rule.kind) {
    case 'public':
      return 'Roles: public (no sign-in).';
    case 'device':
      return 'Roles: an enrolled device, with a fresh proof (`Authorization: Device <proof>`).';
    case 'staff': {
      const who =
        rule.roles === 'any' ? 'any signed-in staff member' : `staff with ${rule.roles.join(', ')}`;
      const aup =
        (rule as { aup?: string }).aup === 'exempt' ? ' Open before the AUP is accepted.' : '';
      return `Roles: ${who}.${aup}`;
    }
  }
}

/** The status of a route's success answer: its `@HttpCode`, or Nest's default for the method. */
function successStatus(route: RouteAccess): number {
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, route.handler) as number | undefined;
  return code ?? (route.method === 'POST' ? 201 : 200);
}

/** `/api/devices/:id` as OpenAPI writes it: `/api/devices/{id}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function addResponse(operation: OperationObject, status: number, description: string): void {
  const key = String(status);
  if (!operation.responses[key]) {
    operation.responses[key] = { description };
  }
}

/**
 * Adds to every operation of `document` what its access rule says: `x-roles` (and `x-access`,
 * the kind of caller), a first line "Roles: ..." in its description, its security, and the
 * statuses that follow from the rule and the route's shape. Fills the success answer's
 * description from `ApiRoute`. Routes are matched by method and path.
 */
export function describeAccess(document: OpenAPIObject, routes: RouteAccess[]): void {
  for (const route of routes) {
    const operation = document.paths[openApiPath(route.path)]?.[
      route.method.toLowerCase() as Method
    ] as (OperationObject & Record<string, unknown>) | undefined;
    if (!operation || !route.rule) {
      continue;
    }
    const rule = route.rule;
    operation['x-access'] = rule.kind;
    operation['x-roles'] = rolesOf(rule);
    operation.description = [rolesLine(rule), operation.description].filter(Boolean).join('\n\n');
    operation.security =
      rule.kind === 'public' ? [] : rule.kind === 'device' ? [{ device: [] }] : [{ bearer: [] }];

    // Swagger adds the success answer itself only when no response is declared.
    const ok = operation[OK_KEY];
    delete operation[OK_KEY];
    let success = Object.keys(operation.responses).find((status) => /^2\d\d$/.test(status));
    if (!success) {
      success = String(successStatus(route));
      operation.responses[success] = { description: '' };
    }
    if (typeof ok === 'string') {
      (operation.responses[success] as ResponseObject).description = ok;
    }

    const hasParameters = (operation.parameters ?? []).length > 0;
    const hasPathParameter = (operation.parameters ?? []).some(
      (parameter) => (parameter as { in?: string }).in === 'path',
    );
    if (hasParameters || operation.requestBody) {
      addResponse(operation, 400, 'The input does not validate; the message names the field.');
    }
    if (rule.kind === 'staff') {
      addResponse(operation, 401, 'Not signed in, or the sign-in has expired.');
      const gated = (rule as { aup?: string }).aup !== 'exempt';
      const reasons = [
        rule.roles === 'any'
          ? null
          : `the account holds none of the roles ${rule.roles.join(', ')}`,
        gated
          ? 'the account has not accepted the current acceptable use policy (`code` `aup_required`)'
          : null,
      ].filter(Boolean);
      if (reasons.length > 0) {
        addResponse(operation, 403, `Refused: ${reasons.join('; or ')}.`);
      }
    }
    if (rule.kind === 'device') {
      addResponse(operation, 401, 'No device proof, or the proof was refused.');
    }
    if (hasPathParameter) {
      addResponse(operation, 404, 'Nothing has the id in the path.');
    }
    if (operation.requestBody) {
      addResponse(operation, 413, 'The body is larger than 1 MB.');
    }
  }
}

/** `message.show` as staff send it: the hub sets `from` to their display name. */
function staffPayloadSchema(type: CommandType): SchemaObject | ReferenceObject {
  const ref = { $ref: `#/components/schemas/${payloadSchemaName(type)}` };
  if (type !== 'message.show') {
    return ref;
  }
  const schema = COMMAND_PAYLOAD_SCHEMAS[type] as unknown as SchemaObject & {
    properties: Record<string, SchemaObject>;
  };
  const { from: _from, ...properties } = schema.properties;
  return {
    ...schema,
    properties,
    required: ['text'],
    description: `${schema.description ?? ''} The hub sets \`from\` to your display name.`,
  };
}

/**
 * Replaces the free-form objects of the request DTOs by their schemas: a command request is one
 * of the command types (by `type`), each with its own payload; a policy's settings are
 * PolicySettings (any subset, for one profile).
 */
export function describeSchemas(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? (document.components.schemas = {});
  for (const type of COMMAND_TYPES) {
    schemas[payloadSchemaName(type)] = COMMAND_PAYLOAD_SCHEMAS[type] as SchemaObject;
  }
  schemas.PolicySettings = POLICY_SETTINGS_SCHEMA as SchemaObject;
  schemas.PartialPolicySettings = PARTIAL_POLICY_SETTINGS_SCHEMA as SchemaObject;

  const issue = schemas.IssueCommandDto as SchemaObject | undefined;
  if (issue?.properties) {
    const expiresAt = issue.properties.expiresAt;
    const staffTypes = COMMAND_TYPES.filter((type) => !HUB_ONLY_COMMANDS.includes(type));
    const mapping: Record<string, string> = {};
    for (const type of staffTypes) {
      const name = `Issue${payloadSchemaName(type).replace(/Payload$/, 'Command')}`;
      mapping[type] = `#/components/schemas/${name}`;
      const payload = staffPayloadSchema(type);
      const empty = (COMMAND_PAYLOAD_SCHEMAS[type].required as string[] | undefined) === undefined;
      schemas[name] = {
        type: 'object',
        title: type,
        additionalProperties: false,
        required: empty ? ['type'] : ['type', 'payload'],
        properties: {
          type: { type: 'string', enum: [type] },
          payload: empty ? { ...payload, default: {} } : payload,
          ...(expiresAt ? { expiresAt } : {}),
        },
      } as SchemaObject;
    }
    schemas.IssueCommandDto = {
      description:
        'One command, told apart by `type`. policy.apply is sent by the hub when policies ' +
        'change, never by staff. Teachers may send device.lock (reason class only), ' +
        'device.unlock, app.lock, app.unlock, message.show and photos.sync; the rest is ICT’s.',
      oneOf: Object.values(mapping).map(($ref) => ({ $ref })),
      discriminator: { propertyName: 'type', mapping },
    };
  }

  for (const name of ['CreatePolicyDto', 'UpdatePolicyDto']) {
    const dto = schemas[name] as SchemaObject | undefined;
    const settings = dto?.properties?.settings as SchemaObject | undefined;
    if (dto?.properties && settings) {
      dto.properties.settings = {
        description: settings.description,
        allOf: [{ $ref: '#/components/schemas/PartialPolicySettings' }],
      };
    }
  }
}

/** Makes the hub's OpenAPI document, every operation described (see `describeAccess`). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Classroom device hub')
      .setDescription(
        'The school hub for tablets and loan laptops: staff API and device enrolment. Every ' +
          'operation says who may call it (`x-roles`, and its first line). Errors answer ' +
          '`{ "statusCode", "message" }`, the message naming the field at fault; a refusal a ' +
          'client must tell apart from others of its status also has `code`, a stable word ' +
          'its route names (decide by `code`, never by the words of `message`). The device ' +
          'protocol (Socket.IO) is described at /api/docs/asyncapi.json.',
      )
      .setVersion('1')
      .addBearerAuth(undefined, 'bearer')
      .addSecurity('device', {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: '`Device <proof>`: a fresh device proof (docs/protocol.md, section 2).',
      })
      .build(),
  );
  describeAccess(document, app.get(RouteAccessCheck).routes());
  describeSchemas(document);
  return document;
}
