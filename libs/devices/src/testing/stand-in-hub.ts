// A small stand-in for the hub, for specs of the devices library and the agent: it enrols devices
// with its own CA (protocol section 1) and serves the /device namespace with the hub's proof
// checks (section 2). Test code only; not exported from the barrel.

import { generateKeyPair, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import * as forge from 'node-forge';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { isProofFresh, parseProof, verifyProofSignature } from '../proof';
import {
  DEVICE_NAMESPACE,
  ENROLL_PATH,
  UNAUTHORIZED_MESSAGE,
  type CommandAnswer,
  type CommandEnvelope,
  type DeviceState,
  type DeviceToHubEvents,
  type EnrollRequest,
  type HubToDeviceEvents,
} from '../protocol';
import { validateDeviceState } from '../validation';

export type StandInSocket = ServerSocket<
  DeviceToHubEvents,
  HubToDeviceEvents,
  Record<string, never>,
  { deviceId: string }
>;

export interface EnrollReply {
  status: number;
  body: unknown;
}

export interface StandInCa {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  pem: string;
}

export async function makeStandInCa(): Promise<StandInCa> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: 'Stand-in hub CA' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'basicConstraints', cA: true }]);
  const key = forge.pki.privateKeyFromPem(privateKey);
  cert.sign(key, forge.md.sha256.create());
  return { cert, key, pem: forge.pki.certificateToPem(cert) };
}

/** Signs a PEM certificate request with the CA; throws if its signature does not verify. */
export function signCsr(csrPem: string, ca: StandInCa): string {
  const csr = forge.pki.certificationRequestFromPem(csrPem);
  if (!csr.verify()) {
    throw new Error('CSR signature does not verify');
  }
  const cert = forge.pki.createCertificate();
  cert.publicKey = csr.publicKey as forge.pki.rsa.PublicKey;
  cert.serialNumber = Date.now().toString(16);
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject(csr.subject.attributes);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.sign(ca.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export class StandInHub {
  url = '';
  /** deviceId → the public key or certificate its proofs must verify against. */
  readonly devices = new Map<string, string>();
  /** serialNumber → deviceId, so a serial enrolled again keeps its id. */
  readonly serials = new Map<string, string>();
  /** token → uses left. */
  readonly tokens = new Map<string, number>();
  readonly enrollRequests: EnrollRequest[] = [];
  /** Replaces the normal answer to POST /api/enroll while set. */
  enrollAnswer?: (request: EnrollRequest) => EnrollReply;
  readonly proofs: string[] = [];
  readonly states: Array<{ deviceId: string; state: DeviceState }> = [];
  readonly sockets: StandInSocket[] = [];

  private readonly http: HttpServer;
  private readonly io: Server<DeviceToHubEvents, HubToDeviceEvents>;
  private readonly seenNonces = new Set<string>();
  private waiters: Array<() => void> = [];

  private constructor(private readonly ca: StandInCa) {
    this.http = createServer((req, res) => {
      void this.handleHttp(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    this.io = new Server(this.http);
    const nsp = this.io.of(DEVICE_NAMESPACE);
    nsp.use((socket, next) => {
      const deviceId = this.checkProof((socket.handshake.auth as { proof?: unknown }).proof);
      if (!deviceId) {
        next(new Error(UNAUTHORIZED_MESSAGE));
        return;
      }
      (socket.data as { deviceId: string }).deviceId = deviceId;
      next();
    });
    nsp.on('connection', (socket: StandInSocket) => {
      this.sockets.push(socket);
      socket.on('state', (state, ack) => {
        const checked = validateDeviceState(state);
        if (checked.ok) {
          this.states.push({ deviceId: socket.data.deviceId, state: checked.payload });
        }
        ack?.(checked.ok ? { ok: true } : { ok: false, error: checked.errors.join('; ') });
        this.wake();
      });
      socket.on('disconnect', () => this.wake());
      this.wake();
    });
  }

  static async start(): Promise<StandInHub> {
    const hub = new StandInHub(await makeStandInCa());
    await new Promise<void>((resolve) => hub.http.listen(0, '127.0.0.1', resolve));
    hub.url = `http://127.0.0.1:${(hub.http.address() as AddressInfo).port}`;
    return hub;
  }

  async close(): Promise<void> {
    await this.io.close();
  }

  /** The newest connection (of one device, or of any). */
  socket(deviceId?: string): StandInSocket {
    const matching = this.sockets.filter((s) => !deviceId || s.data.deviceId === deviceId);
    return matching[matching.length - 1];
  }

  connectedDevices(): Set<string> {
    return new Set(this.sockets.filter((s) => s.connected).map((s) => s.data.deviceId));
  }

  statesOf(deviceId?: string): DeviceState[] {
    return this.states.filter((s) => !deviceId || s.deviceId === deviceId).map((s) => s.state);
  }

  send(command: CommandEnvelope, socket: StandInSocket = this.socket()): Promise<CommandAnswer> {
    return socket.timeout(5000).emitWithAck('command', command);
  }

  /** Resolves when the condition holds, checked after every hub event and every 50 ms. */
  async until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) {
        throw new Error('timed out waiting for the stand-in hub');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private checkProof(proof: unknown): string | undefined {
    try {
      const parsed = parseProof(proof as string);
      const key = this.devices.get(parsed.deviceId);
      const seen = `${parsed.deviceId}:${parsed.nonce}`;
      if (
        key === undefined ||
        !verifyProofSignature(parsed, key) ||
        !isProofFresh(parsed, Date.now()) ||
        this.seenNonces.has(seen)
      ) {
        return undefined;
      }
      this.seenNonces.add(seen);
      this.proofs.push(proof as string);
      return parsed.deviceId;
    } catch {
      return undefined;
    }
  }

  private async handleHttp(req: IncomingMessage): Promise<EnrollReply> {
    if (req.method !== 'POST' || req.url !== ENROLL_PATH) {
      return { status: 404, body: { statusCode: 404, message: 'Not Found' } };
    }
    let request: EnrollRequest;
    try {
      request = (await readJson(req)) as EnrollRequest;
    } catch {
      return { status: 400, body: { statusCode: 400, message: 'body must be JSON' } };
    }
    this.enrollRequests.push(request);
    this.wake();
    if (this.enrollAnswer) {
      return this.enrollAnswer(request);
    }
    const uses = this.tokens.get(request.token) ?? 0;
    if (uses < 1) {
      return { status: 401, body: { statusCode: 401, message: 'Unauthorized' } };
    }
    let certificate: string;
    try {
      certificate = signCsr(request.csr, this.ca);
    } catch {
      return { status: 400, body: { statusCode: 400, message: 'csr does not verify' } };
    }
    this.tokens.set(request.token, uses - 1);
    const serial = request.device.serialNumber;
    const deviceId = this.serials.get(serial) ?? randomUUID();
    this.serials.set(serial, deviceId);
    this.devices.set(deviceId, certificate);
    return {
      status: 201,
      body: { deviceId, certificate, caCertificate: this.ca.pem },
    };
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
