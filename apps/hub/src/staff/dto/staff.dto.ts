// Request and response shapes for staff accounts, sign-in and the AUP.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { STAFF_ROLES, StaffRole } from '../../common/roles';
import { PageQueryDto } from '../../common/page-query.dto';
import { IsOmittable, IsPlainText, IsRfc3339 } from '../../common/input-rules';
import { eachMustBe } from '../../common/validation';

/** A list of roles naming one that is not a role: the message names it (eachMustBe). */
const ROLES_MESSAGE = eachMustBe(`one of ${STAFF_ROLES.join(', ')}`, (role) =>
  (STAFF_ROLES as readonly unknown[]).includes(role),
);

export class LoginDto {
  @ApiProperty()
  @IsPlainText({ max: 64 })
  username: string;

  @ApiProperty()
  @IsString()
  @MinLength(1, { message: 'password must not be empty' })
  @MaxLength(256)
  password: string;
}

export class StaffUserDto {
  @ApiProperty() id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) roles: StaffRole[];
}

export class LoginResponseDto {
  @ApiProperty() accessToken: string;
  @ApiProperty() expiresAt: string;
  @ApiProperty({ type: StaffUserDto }) user: StaffUserDto;
}

/** What a staff username is: every account's, so no other text can name one. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export class CreateStaffDto {
  @ApiProperty({ description: 'Lowercase letters, digits, dot, dash or underscore' })
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 2 to 64 lowercase letters, digits, dots, dashes or underscores',
  })
  username: string;

  @ApiProperty()
  @IsPlainText({ max: 128 })
  displayName: string;

  @ApiProperty({
    description: 'At least 6 characters with upper and lower case, a number and a symbol',
  })
  @IsString()
  @MaxLength(256)
  password: string;

  @ApiProperty({ enum: STAFF_ROLES, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(STAFF_ROLES.length)
  @ArrayUnique()
  @IsIn(STAFF_ROLES, { each: true, message: ROLES_MESSAGE })
  roles: StaffRole[];

  @ApiPropertyOptional({ description: 'Where loan reminders are emailed (issue 13)' })
  @IsOmittable()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;
}

export class UpdateStaffDto {
  @ApiPropertyOptional()
  @IsOmittable()
  @IsPlainText({ max: 128 })
  displayName?: string;

  @ApiPropertyOptional()
  @IsOmittable()
  @IsString()
  @MaxLength(256)
  password?: string;

  @ApiPropertyOptional({ enum: STAFF_ROLES, isArray: true })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(STAFF_ROLES.length)
  @ArrayUnique()
  @IsIn(STAFF_ROLES, { each: true, message: ROLES_MESSAGE })
  roles?: StaffRole[];

  @ApiPropertyOptional({
    description: 'Disable (true) or re-enable (false); accounts are never deleted',
  })
  @IsOmittable()
  @IsBoolean()
  disabled?: boolean;

  @ApiPropertyOptional({ description: 'Where loan reminders are emailed; null removes it' })
  @IsOmittable()
  @ValidateIf((_object: unknown, value: unknown) => value !== null)
  @IsEmail({}, { message: 'email must be an email address or null' })
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({
    description:
      "The account's `updatedAt` as read when the change was made (RFC 3339). If the account " +
      'has changed since, nothing is saved: 409 `changed_meanwhile`. Left out, the change is ' +
      'made to the account as it is',
  })
  @IsOmittable()
  @IsRfc3339()
  updatedAt?: string;
}

export class ChangeOwnPasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(256)
  currentPassword: string;

  @ApiProperty()
  @IsString()
  @MaxLength(256)
  newPassword: string;
}

export class StaffListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Include disabled accounts' })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeDisabled?: 'true' | 'false';
}

export class StaffAccountDto {
  @ApiProperty() id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) roles: StaffRole[];
  @ApiProperty() disabled: boolean;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class PublishAupDto {
  @ApiProperty({ description: 'The full text of the acceptable use policy' })
  @IsPlainText({ min: 20, max: 200000, multiline: true, trim: false })
  text: string;
}

export class AcceptAupDto {
  @ApiProperty({
    description: 'The SHA-256 version of the AUP text being accepted (from GET /api/aup)',
  })
  @Matches(/^[0-9a-f]{64}$/, { message: 'version must be the 64 hex characters of GET /api/aup' })
  version: string;
}
