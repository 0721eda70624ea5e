// Request shapes for policies and assignments. The settings themselves are checked by
// @app/policy, which names the field that is wrong.
import { POLICY_PRIORITY } from '@app/hub-api';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { PageQuery } from '../../common/page-query.dto';
import { IsOmittable, IsPlainText } from '../../common/input-rules';
import { eachMustBe } from '../../common/validation';
import {
  COMPLIANCE_STATUSES,
  type ComplianceStatus,
} from '../../devices/dto/device-compliance.dto';

export class CreatePolicyDto {
  @ApiProperty()
  @IsPlainText({ max: 128 })
  name: string;

  @ApiPropertyOptional({ description: 'May be several lines; an empty string clears it' })
  @IsOmittable()
  @IsPlainText({ max: 500, multiline: true, allowEmpty: true })
  description?: string;

  @ApiProperty({
    description: 'The settings this profile sets (PolicySettings, any subset)',
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  settings: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Setting paths (e.g. "camera.allowed") that narrower profiles may not change',
    type: [String],
  })
  @IsOmittable()
  @IsArray()
  @IsString({ each: true, message: eachMustBe('a string', (path) => typeof path === 'string') })
  enforced?: string[];
}

export class UpdatePolicyDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 128 })
  name?: string;

  @ApiPropertyOptional({ description: 'May be several lines; an empty string clears it' })
  @IsOmittable()
  @IsPlainText({ max: 500, multiline: true, allowEmpty: true })
  description?: string;

  @ApiPropertyOptional({
    description: 'Replaces the settings the profile sets',
    type: 'object',
    additionalProperties: true,
  })
  @IsOmittable()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String] })
  @IsOmittable()
  @IsArray()
  @IsString({ each: true, message: eachMustBe('a string', (path) => typeof path === 'string') })
  enforced?: string[];

  @ApiPropertyOptional({
    minimum: 1,
    description:
      'The revision this change was made from (the one the editor read). If the policy has a ' +
      'newer revision, nothing is saved: 409 `changed_meanwhile`. Left out, the change is made ' +
      'to whatever revision is current',
  })
  @IsOmittable()
  @IsInt({ message: 'revision must be a whole number (the revision the change was made from)' })
  @Min(1)
  revision?: number;
}

export class RollbackPolicyDto {
  @ApiProperty({ description: 'The revision to go back to; this makes a new revision' })
  @IsInt()
  @Min(1)
  revision: number;
}

export class AssignPolicyDto {
  @ApiProperty({ enum: ['baseline', 'group', 'device'] })
  @IsIn(['baseline', 'group', 'device'])
  scope: 'baseline' | 'group' | 'device';

  @ApiPropertyOptional({ description: 'The group or device; omitted for the baseline' })
  @ValidateIf((o: AssignPolicyDto) => o.scope !== 'baseline')
  @IsUUID()
  targetId?: string;

  // The console checks the same range before sending (libs/hub-api number-rules).
  @ApiPropertyOptional({
    default: 0,
    minimum: POLICY_PRIORITY.min,
    maximum: POLICY_PRIORITY.max,
    description: 'Settles disagreeing profiles in the same scope: higher wins',
  })
  @IsOmittable()
  @IsInt()
  @Min(POLICY_PRIORITY.min)
  @Max(POLICY_PRIORITY.max)
  priority?: number;
}

/** Compliance lists the devices behind a number: 100 by default, at most 1,000. */
export class ComplianceQueryDto extends PageQuery(100, 1000) {
  @ApiPropertyOptional({ enum: COMPLIANCE_STATUSES })
  @IsOptional()
  @IsIn(COMPLIANCE_STATUSES)
  status?: ComplianceStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  policyId?: string;
}
