// Request shapes for loans and reminders (issue 13); the responses are @app/hub-api's.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { LOAN_STATUSES } from '@app/hub-api';
import type { LoanStatus } from '@app/hub-api';
import { IsOmittable, IsPlainText, IsRfc3339 } from '../../common/input-rules';
import { PageQueryDto } from '../../common/page-query.dto';
import { ASSET_TAG_PATTERN, ASSET_TAG_RULE } from '../../assets/dto/asset.dto';

export class CreateLoanDto {
  @ApiProperty({ description: 'What the scan gave' })
  @Matches(ASSET_TAG_PATTERN, { message: `assetTag must be ${ASSET_TAG_RULE}` })
  assetTag: string;

  @ApiProperty({ description: 'A staff account id' })
  @IsUUID('all', { message: 'borrowerId must be a staff account id (a UUID)' })
  borrowerId: string;

  @ApiProperty({ description: 'RFC 3339, in the future' })
  @IsRfc3339()
  dueAt: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 200 })
  conditionOut?: string;

  @ApiPropertyOptional({
    description: 'The borrower read and accepted the current AUP in person at the desk',
  })
  @IsOmittable()
  @IsBoolean()
  aupAcceptedAtDesk?: boolean;
}

export class ReturnLoanDto {
  @ApiProperty()
  @IsPlainText({ max: 200 })
  condition: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 1000, multiline: true })
  damageNotes?: string;

  @ApiPropertyOptional({ description: 'Send the asset to repair rather than back to available' })
  @IsOmittable()
  @IsBoolean()
  toRepair?: boolean;
}

export class LoanListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LOAN_STATUSES })
  @IsOptional()
  @IsIn(LOAN_STATUSES)
  status?: LoanStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  borrowerId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  assetId?: string;
}

export class MyLoansQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LOAN_STATUSES })
  @IsOptional()
  @IsIn(LOAN_STATUSES)
  status?: LoanStatus;
}

export class ReminderListQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  loanId?: string;

  @ApiPropertyOptional({ description: 'Office and ICT only; others see their own' })
  @IsOptional()
  @IsUUID()
  borrowerId?: string;
}

export class BorrowerQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Part of the display name or username' })
  @IsOptional()
  @IsPlainText({ max: 128 })
  search?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'true: only those who may lead a trip (trip leaders and ICT), for picking a trip’s leaders',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  canLead?: 'true' | 'false';
}

export type {
  Loan as LoanDto,
  Reminder as ReminderDto,
  Borrower as BorrowerDto,
} from '@app/hub-api';
