// Enrolment (protocol section 1): ICT issues tokens; a device presents one with its own key's
// certificate request and gets a certificate from the hub CA. A serial number enrolled before
// is re-enrolled: its old certificate is revoked, its record, history, groups and desired state
// are kept, and the commands queued for the old enrolment are cancelled. An enrolled, unrevoked
// device is re-enrolled only with a token made for re-enrolment (protocol 1.1 section 1).
import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EnrollResponse } from '@app/devices';
import { tagKeyOf } from '@app/hub-api';
import { AssetsRepository } from '../assets/assets.repository';
import { deviceActor, deviceTarget, enrollmentTokenTarget } from '../audit/audit-labels';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { hashToken } from '../common/token-hash';
import { HubEvents } from '../common/hub-events';
import type { StaffPrincipal } from '../common/roles';
import { TransactionRunner } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { CommandsRepository } from '../commands/commands.repository';
import { assetTagTaken, isAssetTagClash } from '../devices/asset-tag-taken';
import { DeviceConnections } from '../devices/device-connections';
import { DeviceEntity } from '../devices/device.entities';
import { DevicesRepository } from '../devices/devices.repository';
import { CertificateAuthority, InvalidCsrError } from './certificate-authority';
import { CreateEnrollmentTokenDto, EnrollDto } from './dto/enrollment.dto';
import { EnrollmentTokenEntity } from './enrollment-token.entity';
import { EnrollmentRepository } from './enrollment.repository';

const INVALID_TOKEN = 'The enrolment token is not valid';
const CONCURRENT_ENROLMENT = (serialNumber: string) =>
  `Device ${serialNumber} was enrolled by another request at the same moment; enrol it again ` +
  'only if this device should replace that enrolment';

function toTokenView(token: EnrollmentTokenEntity, now: Date) {
  return {
    id: token.id,
    label: token.label,
    groupIds: token.groupIds,
    maxUses: token.maxUses,
    uses: token.uses,
    reenrol: token.reenrol,
    expiresAt: token.expiresAt.toISOString(),
    createdAt: token.createdAt.toISOString(),
    usable: !token.revokedAt && token.expiresAt > now && token.uses < token.maxUses,
  };
}

@Injectable()
export class EnrollmentService {
  private readonly logger = new Logger(EnrollmentService.name);

  constructor(
    private readonly tokens: EnrollmentRepository,
    private readonly devices: DevicesRepository,
    private readonly connections: DeviceConnections,
    private readonly ca: CertificateAuthority,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: HubEvents,
    private readonly commands: CommandsRepository,
    private readonly assets: AssetsRepository,
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
      reenrol: input.reenrol ?? false,
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
        target: enrollmentTokenTarget(row),
        detail: {
          label: row.label,
          groupIds,
          maxUses: row.maxUses,
          expiresAt: row.expiresAt.toISOString(),
          reenrol: row.reenrol,
        },
      });
    });
    return {
      id: row.id,
      token,
      expiresAt: row.expiresAt.toISOString(),
      maxUses: row.maxUses,
      reenrol: row.reenrol,
    };
  }

  async listTokens() {
    const now = this.clock.now();
    return (await this.tokens.list()).map((token) => toTokenView(token, now));
  }

  async revokeToken(actor: StaffPrincipal, id: string): Promise<void> {
    const token = await this.tokens.findById(id);
    if (!token) {
      throw new NotFoundException(`No enrolment token ${id}`);
    }
    await this.tx.run(async (tx) => {
      // A token already revoked stays as it was: the answer is the same, nothing is audited.
      if (!(await this.tokens.revoke(tx, id, this.clock.now()))) {
        return;
      }
      await this.audit.record(tx, {
        actor,
        action: 'enrollment_token.revoked',
        target: enrollmentTokenTarget(token),
      });
    });
  }

  /**
   * Enrols a device (protocol 1.1 section 1) and returns its id and certificate.
   *
   * - 401 for a missing, unknown, expired, revoked or used-up token (one body for all).
   * - 409 for a serial whose device is enrolled and not revoked, unless the token was made for
   *   re-enrolment (issue 8 item 12): the refusal is audited and does not use the token. A serial
   *   is its device's in any capitals (`serialKeyOf`): "c02xk1" re-enrols the device enrolled as
   *   "C02XK1", whose record keeps the serial it first enrolled with.
   * - 409 when another enrolment of the same serial won a race (issue 8 item 3).
   * - 409 `Asset tag "OAK-07" is already on …` when the asset tag it gives (or keeps from its
   *   earlier enrolment) is another active device's in any case (the unique key on active
   *   devices' tags, migration 1764840000000); the token's use is not taken.
   * - 400 for a CSR that does not parse, verify, carry RSA >= 2048 or name the serial.
   *
   * A re-enrolment keeps the record, groups and desired state, revokes the old certificate and
   * cancels the commands queued for the old enrolment (issue 8 item 11); the desired lock and
   * policy are then re-asserted to the new enrolment by the usual reconcile.
   */
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
    if (existing?.status === 'active' && !token.reenrol) {
      await this.refuseTakeover(existing, token);
    }
    const deviceId = existing?.id ?? randomUUID();
    const tag = await this.tagToEnrolWith(info, existing, deviceId);
    let issued;
    try {
      issued = await this.ca.signDeviceRequest(input.csr, info.serialNumber, deviceId);
    } catch (error) {
      if (error instanceof InvalidCsrError) {
        throw new BadRequestException(error.message);
      }
      throw error;
    }
    const cancelled = await this.tx
      .run(async (tx) => {
        if (!(await this.tokens.takeUse(tx, token.id))) {
          throw new UnauthorizedException(INVALID_TOKEN);
        }
        const described = {
          platform: info.platform,
          model: info.model ?? existing?.model ?? null,
          osVersion: info.osVersion ?? existing?.osVersion ?? null,
          name: info.name ?? existing?.name ?? null,
          assetTag: tag,
        };
        let cancelledIds: string[] = [];
        if (existing) {
          // Only if nobody re-enrolled or revoked it since it was read: otherwise the decision
          // above (token kind, old certificate) was made about another state.
          const won = await this.devices.reenrolDevice(
            tx,
            deviceId,
            { certificateSerial: existing.certificateSerial, status: existing.status },
            {
              ...described,
              status: 'active',
              certificatePem: issued.certificatePem,
              certificateSerial: issued.serial,
              enrolledAt: now,
              revokedAt: null,
            },
          );
          if (!won) {
            throw new ConflictException(CONCURRENT_ENROLMENT(info.serialNumber));
          }
          await this.devices.insertRevokedCertificate(tx, {
            serial: existing.certificateSerial,
            deviceId,
            reason: 'reenrolled',
            revokedAt: now,
          });
          // Commands queued for the old enrolment are never delivered to the new one.
          cancelledIds = await this.commands.cancelOpenForDevice(tx, deviceId, now);
        } else {
          const device: Omit<DeviceEntity, 'tagKey' | 'serialKey' | 'nameKey' | 'nameSortKey'> = {
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
            hubId: null,
            reportedState: null,
            reportedAt: null,
            desiredLock: null,
            desiredAppLock: null,
            desiredLockOwner: null,
            desiredLockCommandId: null,
            desiredAppLockOwner: null,
            desiredAppLockCommandId: null,
            desiredPolicyVersion: null,
            policyStatus: null,
            policyDetail: null,
            policyUnenforced: null,
            policyConflict: false,
            policyChangedAt: null,
            createdAt: now,
          };
          try {
            await this.devices.insertDevice(tx, device);
          } catch (error) {
            // Another enrolment of this serial inserted it first (seen on PostgreSQL, where
            // transactions are not queued).
            if (isUniqueViolation(error) && !isAssetTagClash(error)) {
              throw new ConflictException(CONCURRENT_ENROLMENT(info.serialNumber));
            }
            throw error;
          }
        }
        for (const groupId of token.groupIds) {
          await this.devices.addMembers(tx, groupId, [deviceId], now);
        }
        // Named as it enrolled: the name and asset tag it gave (or kept), and its serial.
        const names = {
          id: deviceId,
          name: described.name,
          assetTag: described.assetTag,
          serialNumber: info.serialNumber,
        };
        const target = deviceTarget(names);
        await this.audit.record(
          tx,
          {
            actor: deviceActor(names),
            action: existing ? 'device.reenrolled' : 'device.enrolled',
            target,
            detail: {
              serialNumber: info.serialNumber,
              platform: info.platform,
              tokenId: token.id,
              groupIds: token.groupIds,
              ...(existing ? { wasRevoked: existing.status === 'revoked' } : {}),
              ...(cancelledIds.length > 0 ? { cancelledCommands: cancelledIds.length } : {}),
            },
          },
          ...cancelledIds.map((commandId) => ({
            actor: { kind: 'system' as const },
            action: 'command.cancelled',
            target,
            detail: { commandId, reason: 'reenrolled' },
          })),
        );
        return cancelledIds;
      })
      .catch(async (error: unknown) => {
        if (isAssetTagClash(error)) {
          throw assetTagTaken(
            tag ?? '',
            tag ? await this.devices.findActiveByTag(tag, deviceId) : null,
          );
        }
        throw error;
      });
    if (existing) {
      // The old certificate is revoked: a connection made with it ends now.
      this.connections.disconnect(deviceId);
    }
    this.events.emit('device.enrolled', { deviceId });
    if (cancelled.length > 0) {
      this.logger.log(`Re-enrolment of ${deviceId} cancelled ${cancelled.length} queued commands`);
    }
    return { deviceId, certificate: issued.certificatePem, caCertificate: this.ca.certificatePem };
  }

  /**
   * The asset tag a device enrols with: the one it gives, else the one it kept from an earlier
   * enrolment, unless another active device has it (by `tagKeyOf`, the unique key on active
   * devices' tags, migration 1764840000000). Then:
   *
   * - a kept tag is left off: ICT gave it to another device while this one was revoked, and the
   *   device, which did not ask for it, is not to be kept from enrolling by it;
   * - a tag the asset register gives this serial number is left off for now: the register's
   *   match after enrolment (`device.enrolled`) gives it this device and takes it off the one
   *   tagged by hand, as saving the asset does (AssetsService);
   * - any other given tag is refused. Told before a certificate is made; the unique key decides
   *   a race (in `enroll`).
   *
   * @throws ConflictException 409 `Asset tag "OAK-07" is already on …` for a given tag another
   *   active device has that the register does not give this device
   */
  private async tagToEnrolWith(
    info: EnrollDto['device'],
    existing: DeviceEntity | null,
    deviceId: string,
  ): Promise<string | null> {
    const tag = info.assetTag ?? existing?.assetTag ?? null;
    if (tag === null) {
      return null;
    }
    const holder = await this.devices.findActiveByTag(tag, deviceId);
    if (!holder) {
      return tag;
    }
    if (info.assetTag === undefined || info.assetTag === null) {
      return null;
    }
    const asset = await this.assets.findBySerial(info.serialNumber);
    if (asset && asset.tagKey === tagKeyOf(tag)) {
      return null;
    }
    throw assetTagTaken(tag, holder);
  }

  /**
   * Refuses to re-enrol an enrolled, unrevoked device with an ordinary token (issue 8 item 12):
   * a serial number is printed on the case, so it proves nothing. Audited, so ICT sees the
   * attempt; the token's use is not taken (nothing was enrolled).
   */
  private async refuseTakeover(
    existing: DeviceEntity,
    token: EnrollmentTokenEntity,
  ): Promise<never> {
    await this.tx.run((tx) =>
      this.audit.record(tx, {
        actor: { kind: 'system' },
        action: 'device.reenrolment_refused',
        target: deviceTarget(existing),
        detail: {
          serialNumber: existing.serialNumber,
          tokenId: token.id,
          reason: 'enrolled and not revoked; the token is not a re-enrolment token',
        },
      }),
    );
    throw new ConflictException(
      `Device ${existing.serialNumber} is already enrolled. Re-enrolling it needs a re-enrolment ` +
        'token (POST /api/enrollment-tokens with reenrol: true) or the device revoked first',
    );
  }
}
