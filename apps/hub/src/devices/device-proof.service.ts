// Checks the proof every device request carries (protocol section 2): well formed, fresh,
// signed by the device's current certificate, the device enrolled and not revoked, and the
// nonce not used before.
import { Injectable } from '@nestjs/common';
import { X509Certificate, KeyObject } from 'node:crypto';
import { isProofFresh, parseProof, PROOF_WINDOW_MS, verifyProofSignature } from '@app/devices';
import { DeviceAuthenticator } from '../common/access';
import { Clock } from '../common/clock';
import type { DevicePrincipal } from '../common/roles';
import { DevicesService } from './devices.service';
import { NonceStore } from './nonce-store';

@Injectable()
export class DeviceProofService extends DeviceAuthenticator {
  // Parsed public keys by certificate serial: parsing a PEM costs more than verifying a proof.
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly devices: DevicesService,
    private readonly nonces: NonceStore,
    private readonly clock: Clock,
  ) {
    super();
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
    let key = this.keys.get(device.certificateSerial);
    if (!key) {
      key = new X509Certificate(device.certificatePem).publicKey;
      this.keys.set(device.certificateSerial, key);
    }
    if (!verifyProofSignature(parsed, key)) {
      return null;
    }
    // The nonce is remembered until the proof could no longer be fresh anyway.
    if (!this.nonces.claim(device.id, parsed.nonce, parsed.timestampMs + PROOF_WINDOW_MS + 1000)) {
      return null;
    }
    return { kind: 'device', id: device.id };
  }
}
