// Checks the proof every device request carries (protocol section 2): well formed, fresh,
// signed by the device's current certificate, the device enrolled and not revoked, and the
// nonce not used before.
import { Injectable, OnModuleInit } from '@nestjs/common';
import { X509Certificate } from 'node:crypto';
import { isProofFresh, parseProof, PROOF_WINDOW_MS, verifyProofSignature } from '@app/devices';
import { DeviceAuthenticator } from '../common/access';
import { Clock } from '../common/clock';
import { HubEvents } from '../common/hub-events';
import type { DevicePrincipal } from '../common/roles';
import { DevicesService } from './devices.service';
import { NonceStore } from './nonce-store';
import { ProofKeyCache } from './proof-key-cache';

@Injectable()
export class DeviceProofService extends DeviceAuthenticator implements OnModuleInit {
  /** Parsed public keys, one per device, bounded (issue 8 item 21). */
  readonly keys = new ProofKeyCache();

  constructor(
    private readonly devices: DevicesService,
    private readonly nonces: NonceStore,
    private readonly clock: Clock,
    private readonly events: HubEvents,
  ) {
    super();
  }

  onModuleInit(): void {
    // A revoked device's key is never needed again (a re-enrolment brings a new certificate).
    this.events.on('device.revoked', ({ deviceId }) => this.keys.drop(deviceId));
  }

  async authenticateProof(proof: string): Promise<DevicePrincipal | null> {
    let parsed: ReturnType<typeof parseProof>;
    try {
      parsed = parseProof(proof);
    } catch {
      return null;
    }
    const now = this.clock.nowMs();
    if (!isProofFresh(parsed, now, PROOF_WINDOW_MS)) {
      return null;
    }
    // Batched: a reconnect storm checks thousands of proofs at once.
    const device = await this.devices.readSoon(parsed.deviceId);
    if (!device || device.status !== 'active') {
      return null;
    }
    const key = this.keys.keyFor(
      device.id,
      device.certificateSerial,
      () => new X509Certificate(device.certificatePem).publicKey,
    );
    if (!verifyProofSignature(parsed, key)) {
      return null;
    }
    // The nonce is remembered until the proof could no longer be fresh anyway.
    // Accepted only once the nonce is stored, so a restart cannot forget it (issue 8 item 13).
    const fresh = await this.nonces.claim(
      device.id,
      parsed.nonce,
      parsed.timestampMs + PROOF_WINDOW_MS + 1000,
    );
    if (!fresh) {
      return null;
    }
    return { kind: 'device', id: device.id };
  }
}
