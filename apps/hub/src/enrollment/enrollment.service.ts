// Enrolment (protocol section 1): ICT issues tokens; a device presents one with its own key's
// certificate request and gets a certificate from the hub CA. A serial number enrolled before
// is re-enrolled: its old certificate is revoked and its record, history and groups are kept.
import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EnrollResponse } from '@app/devices';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { hashToken } from '../common/token-hash';
import { HubEvents } from '../common/hub-events';
import type { StaffPrincipal } from '../common/roles';
import { TransactionRunner } from '../database/transaction-runner';
import { DeviceConnections } from '../devices/device-connections';
import { DeviceEntity } from '../devices/device.entities';
import { DevicesRepository } from '../devices/devices.repository';
import { CertificateAuthority, InvalidCsrError } from './certificate-authority';
import { CreateEnrollmentTokenDto, EnrollDto } from './dto/enrollment.dto';
import { EnrollmentTokenEntity } from './enrollment-token.entity';
import { EnrollmentRepository } from './enrollment.repository';

const INVALID_TOKEN = 'The enrolment token is not valid';

function toTokenView(token: EnrollmentTokenEntity, now: Date) {
  return {
    id: token.id,
    label: token.label,
    groupIds: token.groupIds,
    maxUses: token.maxUses,
    uses: token.uses,
    expiresAt: token.expiresAt.toISOString(),
    createdAt: token.createdAt.toISOString(),
    usable: !token.revokedAt && token.expiresAt > now && token.uses < token.maxUses,
  };
}

@Injectable()
export class EnrollmentService {
  constructor(
    private readonly tokens: EnrollmentRepository,
    private readonly devices: DevicesRepository,
    private readonly connections: DeviceConnections,
    private readonly ca: CertificateAuthority,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: HubEvents,
  ) {}

  async createToken(actor: StaffPrincipal, input: CreateEnrollmentTokenDto) {
    const groupIds = input.groupIds ?? [];
    const groups = await this.devices.findGroupsByIds(groupIds);
    if (groups.length !== groupIds.length) {
      const known = new Set(groups.map((group) => group.id));
      throw new BadRequestException(
        `groupIds: no such groups: ${groupIds.filter((id) => !known.has(id)).join(', ')}`,
      );
    }
    const token = randomBytes(24).toString('base64url'); // 192 bits
    const now = this.clock.now();
    const row: EnrollmentTokenEntity = {
      id: randomUUID(),
      tokenHash: hashToken(token),
      label: input.label?.trim() || null,
      groupIds,
      maxUses: input.maxUses ?? 1,
      uses: 0,
      expiresAt: new Date(now.getTime() + (input.ttlMinutes ?? 60) * 60_000),
      createdBy: actor.id,
      createdAt: now,
      revokedAt: null,
    };
    await this.tx.run(async (tx) => {
      await this.tokens.insertToken(tx, row);
      await this.audit.record(tx, {
        actor,
        action: 'enrollment_token.created',
        targetType: 'enrollment_token',
        targetId: row.id,
        detail: {
          label: row.label,
          groupIds,
          maxUses: row.maxUses,
          expiresAt: row.expiresAt.toISOString(),
        },
      });
    });
    return { id: row.id, token, expiresAt: row.expiresAt.toISOString(), maxUses: row.maxUses };
  }

  async listTokens() {
    const now = this.clock.now();
    return (await this.tokens.list()).map((token) => toTokenView(token, now));
  }

  async revokeToken(actor: StaffPrincipal, id: string): Promise<void> {
    const token = await this.tokens.findById(id);
    if (!token) {
      throw new BadRequestException(`No enrolment token ${id}`);
    }
    await this.tx.run(async (tx) => {
      await this.tokens.revoke(tx, id, this.clock.now());
      await this.audit.record(tx, {
        actor,
        action: 'enrollment_token.revoked',
        targetType: 'enrollment_token',
        targetId: id,
      });
    });
  }

  async enroll(input: EnrollDto): Promise<EnrollResponse> {
    const now = this.clock.now();
    if (!input.token) {
      throw new UnauthorizedException(INVALID_TOKEN);
    }
    const token = await this.tokens.findByHash(hashToken(input.token));
    if (!token || token.revokedAt || token.expiresAt <= now || token.uses >= token.maxUses) {
      throw new UnauthorizedException(INVALID_TOKEN);
    }
    const info = input.device;
    const existing = await this.devices.findBySerial(info.serialNumber);
    const deviceId = existing?.id ?? randomUUID();
    let issued;
    try {
      issued = this.ca.signDeviceRequest(input.csr, info.serialNumber, deviceId);
    } catch (error) {
      if (error instanceof InvalidCsrError) {
        throw new BadRequestException(error.message);
      }
      throw error;
    }
    await this.tx.run(async (tx) => {
      if (!(await this.tokens.takeUse(tx, token.id))) {
        throw new UnauthorizedException(INVALID_TOKEN);
      }
      const described = {
        platform: info.platform,
        model: info.model ?? existing?.model ?? null,
        osVersion: info.osVersion ?? existing?.osVersion ?? null,
        name: info.name ?? existing?.name ?? null,
        assetTag: info.assetTag ?? existing?.assetTag ?? null,
      };
      if (existing) {
        await this.devices.insertRevokedCertificate(tx, {
          serial: existing.certificateSerial,
          deviceId,
          reason: 'reenrolled',
          revokedAt: now,
        });
        await this.devices.updateDevice(tx, deviceId, {
          ...described,
          status: 'active',
          certificatePem: issued.certificatePem,
          certificateSerial: issued.serial,
          enrolledAt: now,
          revokedAt: null,
        });
      } else {
        const device: DeviceEntity = {
          id: deviceId,
          serialNumber: info.serialNumber,
          ...described,
          status: 'active',
          certificatePem: issued.certificatePem,
          certificateSerial: issued.serial,
          enrolledAt: now,
          revokedAt: null,
          online: false,
          lastSeenAt: null,
          reportedState: null,
          reportedAt: null,
          desiredLock: null,
          desiredAppLock: null,
          desiredPolicyVersion: null,
          policyStatus: null,
          policyDetail: null,
          policyChangedAt: null,
          createdAt: now,
        };
        await this.devices.insertDevice(tx, device);
      }
      if (token.groupIds.length > 0) {
        for (const groupId of token.groupIds) {
          await this.devices.addMembers(tx, groupId, [deviceId], now);
        }
      }
      await this.audit.record(tx, {
        actor: { kind: 'device', id: deviceId },
        action: existing ? 'device.reenrolled' : 'device.enrolled',
        targetType: 'device',
        targetId: deviceId,
        detail: {
          serialNumber: info.serialNumber,
          platform: info.platform,
          tokenId: token.id,
          groupIds: token.groupIds,
        },
      });
    });
    if (existing) {
      // The old certificate is revoked: a connection made with it ends now.
      this.connections.disconnect(deviceId);
    }
    this.events.emit('device.enrolled', { deviceId });
    return { deviceId, certificate: issued.certificatePem, caCertificate: this.ca.certificatePem };
  }
}
