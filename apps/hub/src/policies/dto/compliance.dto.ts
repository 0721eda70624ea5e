// What GET /api/compliance and GET /api/compliance/devices answer: devices counted by compliance
// status, overall and per policy, and the devices behind a number (issue 9 adds `partial`).
import { ApiProperty } from '@nestjs/swagger';
import { DeviceComplianceDto } from '../../devices/dto/device-compliance.dto';

/** Active devices per compliance status. */
export class ComplianceCountsDto {
  @ApiProperty({ description: 'Sent, not yet answered' }) pending: number;
  @ApiProperty({ description: 'Every setting enforced' }) applied: number;
  @ApiProperty({ description: 'Applied, with settings the device cannot enforce' })
  partial: number;
  @ApiProperty({ description: 'The device could not apply its policy' }) failed: number;
  @ApiProperty({ description: 'No policy planned yet' }) none: number;
}

export class PolicyComplianceDto extends ComplianceCountsDto {
  @ApiProperty() policyId: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Active devices the policy reaches' }) devices: number;
}

export class ComplianceSummaryDto {
  @ApiProperty({ description: 'Active devices' }) devices: number;
  @ApiProperty({ type: ComplianceCountsDto }) byStatus: ComplianceCountsDto;
  @ApiProperty({ type: [PolicyComplianceDto] }) byPolicy: PolicyComplianceDto[];
}

export class ComplianceDeviceDto extends DeviceComplianceDto {
  @ApiProperty() id: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty() serialNumber: string;
  @ApiProperty({ type: String, nullable: true }) assetTag: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The policy version the device last reported running',
  })
  reportedVersion: string | null;
}

export class ComplianceDevicesPageDto {
  @ApiProperty({ type: [ComplianceDeviceDto] }) items: ComplianceDeviceDto[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
