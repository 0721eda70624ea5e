// A device's compliance with the policy it should run, as staff see it in its record and in the
// compliance lists (issue 9: `partial` names the settings the device could not enforce).
import { ApiProperty } from '@nestjs/swagger';

/** The compliance statuses a device can have; `none` before the hub has planned its policy. */
export const COMPLIANCE_STATUSES = ['pending', 'applied', 'partial', 'failed', 'none'] as const;
export type ComplianceStatus = (typeof COMPLIANCE_STATUSES)[number];

export class DeviceComplianceDto {
  @ApiProperty({
    enum: COMPLIANCE_STATUSES,
    description:
      '`pending`: sent, not yet answered; `applied`: the device enforces every setting; ' +
      '`partial`: applied, but the settings in `unenforced` are not enforced on this device; ' +
      '`failed`: the device could not apply it (see `detail`); `none`: no policy planned yet',
  })
  status: ComplianceStatus;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The policy version the device should run (lowercase hex SHA-256)',
  })
  desiredVersion: string | null;

  @ApiProperty({
    type: [String],
    example: ['wifi.allowedSsids', 'apps.mode'],
    description:
      'Dotted setting paths (protocol section 4) the device accepted but cannot enforce; ' +
      'empty unless the status is `partial`',
  })
  unenforced: string[];

  @ApiProperty({ type: String, nullable: true, description: "The device's own words, if any" })
  detail: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'When the status last changed (ISO 8601 UTC)',
  })
  since: string | null;
}
