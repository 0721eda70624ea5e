// The device protocol as an AsyncAPI 3.0 document (GET /api/docs/asyncapi.json), for people
// writing a native device app. Its message payloads are the JSON Schema objects of
// @app/devices that the hub and the agent compile and validate with, and PolicySettings is the
// schema of @app/policy: the document is assembled from them, never written by hand, so it
// cannot drift from what the hub checks. docs/protocol.md says the same in prose.
import {
  COMMAND_ANSWER_SCHEMA,
  COMMAND_ENVELOPE_SCHEMA,
  COMMAND_PAYLOAD_SCHEMAS,
  COMMAND_TYPES,
  DEVICE_NAMESPACE,
  DEVICE_STATE_SCHEMA,
  HANDSHAKE_AUTH_SCHEMA,
  STATE_ACK_SCHEMA,
  UNAUTHORIZED_MESSAGE,
  type CommandType,
  type JsonSchema,
} from '@app/devices';
import { POLICY_SETTINGS_SCHEMA } from '@app/policy';

/** The protocol version the document describes (the contract's, not the hub's). */
export const DEVICE_PROTOCOL_VERSION = '1.1.0';

/** Component names of the payload schema of each command type: `device.lock` → `DeviceLockPayload`. */
export function payloadSchemaName(type: CommandType): string {
  const words = type.split(/[._]/).map((word) => word[0].toUpperCase() + word.slice(1));
  return `${words.join('')}Payload`;
}

function commandSchemaName(type: CommandType): string {
  return payloadSchemaName(type).replace(/Payload$/, 'Command');
}

const ref = (path: string) => ({ $ref: `#/components/${path}` });

/**
 * The whole command of one type: the envelope, with `type` fixed and the payload schema of
 * that type. policy.apply's settings are also described by PolicySettings, which the hub
 * checks with @app/policy before it sends one.
 */
function commandVariant(type: CommandType): JsonSchema {
  const payload =
    type === 'policy.apply'
      ? {
          allOf: [
            ref(`schemas/${payloadSchemaName(type)}`),
            { properties: { settings: ref('schemas/PolicySettings') } },
          ],
        }
      : ref(`schemas/${payloadSchemaName(type)}`);
  return {
    title: type,
    allOf: [ref('schemas/CommandEnvelope'), { properties: { type: { const: type }, payload } }],
  };
}

/**
 * Builds the AsyncAPI 3.0 document of the `/device` namespace. The schema objects under
 * `components.schemas` are the very objects the hub validates with (the same identity), so
 * serialising the document shows exactly what is checked.
 *
 * @param server where devices reach the hub, e.g. `{ host: 'hub.school.example:8080', protocol: 'wss' }`
 */
export function buildAsyncApiDocument(
  server: { host: string; protocol: 'ws' | 'wss' } = { host: 'localhost:8080', protocol: 'ws' },
) {
  const payloadSchemas = Object.fromEntries(
    COMMAND_TYPES.map((type) => [payloadSchemaName(type), COMMAND_PAYLOAD_SCHEMAS[type]]),
  );
  const commandSchemas = Object.fromEntries(
    COMMAND_TYPES.map((type) => [commandSchemaName(type), commandVariant(type)]),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Classroom device hub: the device protocol',
      version: DEVICE_PROTOCOL_VERSION,
      description:
        'How an enrolled device talks to the hub over Socket.IO 4 (Engine.IO 4, WebSocket ' +
        'transport) on the `/device` namespace, at the path `/socket.io/`. Enrolment and device ' +
        'proofs are HTTP (see /api/docs and docs/protocol.md). Every payload here is the JSON ' +
        "Schema the hub validates with; `x-plain-text` is the hub's plain-text rule (no control " +
        'characters or lone surrogates; blank text refused unless allowBlank), `format: uuid` ' +
        'any RFC 4122 UUID, and `format: date-time` an RFC 3339 time with a zone.',
    },
    defaultContentType: 'application/json',
    servers: {
      hub: {
        host: server.host,
        protocol: server.protocol,
        pathname: '/socket.io/',
        description: 'The hub: HTTP and Socket.IO on one port (HUB_PORT, default 8080).',
        security: [ref('securitySchemes/deviceProof')],
      },
    },
    channels: {
      device: {
        address: DEVICE_NAMESPACE,
        title: 'The /device namespace',
        description:
          'On a good connection the hub marks the device online, then delivers every pending ' +
          'command for it, oldest first, one at a time: the next when the previous is answered. ' +
          `A refused connection gets connect_error with the message "${UNAUTHORIZED_MESSAGE}" ` +
          'and nothing more. An event other than `state` is answered (if an acknowledgement was ' +
          'asked for) with { "ok": false, "error": "<event> is not a device event" } and ' +
          'otherwise ignored.',
        messages: {
          handshake: ref('messages/handshake'),
          command: ref('messages/command'),
          commandAnswer: ref('messages/commandAnswer'),
          state: ref('messages/state'),
          stateAck: ref('messages/stateAck'),
        },
      },
    },
    operations: {
      acceptDevice: {
        action: 'receive',
        channel: { $ref: '#/channels/device' },
        title: 'A device connects',
        summary: 'The Socket.IO handshake carries a fresh device proof in its auth object.',
        messages: [{ $ref: '#/channels/device/messages/handshake' }],
      },
      sendCommand: {
        action: 'send',
        channel: { $ref: '#/channels/device' },
        title: 'The hub sends a command',
        summary:
          'Event `command`, answered through the Socket.IO acknowledgement within 30 s ' +
          '(otherwise the hub drops the connection and delivers it again on reconnecting).',
        description:
          '`acknowledged` and `error` are final. `not_now` is sent again no sooner than 30 s. ' +
          'A device that gets an id it has already handled answers the same again and does ' +
          'not act twice. `unenforced` (protocol 1.1) is allowed only in an acknowledged ' +
          'answer, and the hub takes it only for policy.apply.',
        messages: [{ $ref: '#/channels/device/messages/command' }],
        reply: {
          channel: { $ref: '#/channels/device' },
          messages: [{ $ref: '#/channels/device/messages/commandAnswer' }],
        },
      },
      receiveState: {
        action: 'receive',
        channel: { $ref: '#/channels/device' },
        title: 'A device reports its state',
        summary:
          'Event `state`, after connecting and whenever something in it changes. The hub ' +
          'restores any difference from the state staff want (a lock, an app lock, the policy).',
        messages: [{ $ref: '#/channels/device/messages/state' }],
        reply: {
          channel: { $ref: '#/channels/device' },
          messages: [{ $ref: '#/channels/device/messages/stateAck' }],
        },
      },
    },
    components: {
      securitySchemes: {
        deviceProof: {
          type: 'httpApiKey',
          name: 'proof',
          in: 'query',
          description:
            'Not a query parameter: Socket.IO\'s handshake `auth` object, `{ "proof": "<proof>" }` ' +
            '(see the handshake message). The proof is v1.<deviceId>.<unixMillis>.<nonce>.' +
            '<base64url RSASSA-PKCS1-v1_5-SHA256 signature by the device key>, within 300 s ' +
            'of the hub clock, used once: make a new one for every connection attempt.',
        },
      },
      messages: {
        handshake: {
          name: 'handshake',
          title: 'Socket.IO handshake auth',
          summary: 'The `auth` of the CONNECT packet: io(hubUrl + "/device", { auth: { proof } }).',
          payload: ref('schemas/HandshakeAuth'),
        },
        command: {
          name: 'command',
          title: 'Command (hub → device)',
          summary: 'One command; `type` says which payload it carries.',
          payload: {
            description: 'One of the command types, told apart by `type`.',
            oneOf: COMMAND_TYPES.map((type) => ref(`schemas/${commandSchemaName(type)}`)),
          },
        },
        commandAnswer: {
          name: 'commandAnswer',
          title: 'Answer to a command (device → hub, acknowledgement)',
          payload: ref('schemas/CommandAnswer'),
        },
        state: {
          name: 'state',
          title: 'State report (device → hub)',
          payload: ref('schemas/DeviceState'),
        },
        stateAck: {
          name: 'stateAck',
          title: "The hub's acknowledgement of a state report",
          summary: 'Only when the device asked for one. A refused state is otherwise ignored.',
          payload: ref('schemas/StateAck'),
        },
      },
      schemas: {
        HandshakeAuth: HANDSHAKE_AUTH_SCHEMA,
        CommandEnvelope: COMMAND_ENVELOPE_SCHEMA,
        ...commandSchemas,
        ...payloadSchemas,
        PolicySettings: POLICY_SETTINGS_SCHEMA,
        CommandAnswer: COMMAND_ANSWER_SCHEMA,
        DeviceState: DEVICE_STATE_SCHEMA,
        StateAck: STATE_ACK_SCHEMA,
      },
    },
  };
}

export type AsyncApiDocument = ReturnType<typeof buildAsyncApiDocument>;
