// Request bodies of /api/classes (issue 12), checked by the global ValidationPipe. The response
// shapes are the shared ones in libs/hub-api/src/classes.ts.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { LOCK_MESSAGE_MAX_LENGTH, MESSAGE_TEXT_MAX_LENGTH } from '@app/devices';
import { CAMERA_ALLOW_MINUTES, LESSON_WEEKDAY, type ClassActionName } from '@app/hub-api';
import { LIMITS } from '@app/policy';
import { IsOmittable, IsPlainText, IsRfc3339 } from '../../common/input-rules';
import { eachMustBeUuid } from '../../common/validation';

/** "HH:MM", 00:00 to 23:59. */
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** Devices one request may name: a large class is far fewer. */
const MAX_DEVICES = 1000;

export const CLASS_ACTIONS: readonly ClassActionName[] = [
  'lock',
  'unlock',
  'app.lock',
  'app.unlock',
  'message',
  'camera.allow',
  'camera.revoke',
];

export class TimetableSlotDto {
  @ApiProperty({
    minimum: LESSON_WEEKDAY.min,
    maximum: LESSON_WEEKDAY.max,
    description: '1 = Monday … 7 = Sunday (ISO 8601)',
  })
  @IsInt()
  @Min(LESSON_WEEKDAY.min)
  @Max(LESSON_WEEKDAY.max)
  weekday: number;

  @ApiProperty({ example: '09:00', description: 'HH:MM in the hub’s time zone' })
  @IsString()
  @Matches(HH_MM, { message: 'start must be a time HH:MM (00:00 to 23:59)' })
  start: string;

  @ApiProperty({ example: '10:00', description: 'HH:MM, after start' })
  @IsString()
  @Matches(HH_MM, { message: 'end must be a time HH:MM (00:00 to 23:59)' })
  end: string;
}

/**
 * What creating a class and changing one both may give, each optional: its named tablets
 * (besides its group's) and its weekly timetable (issue 12).
 */
class ClassTabletsAndTimetableDto {
  @ApiPropertyOptional({ type: [String] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_DEVICES)
  @IsUUID('all', { each: true, message: eachMustBeUuid() })
  deviceIds?: string[];

  @ApiPropertyOptional({ type: [TimetableSlotDto] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => TimetableSlotDto)
  timetable?: TimetableSlotDto[];
}

export class CreateClassDto extends ClassTabletsAndTimetableDto {
  @ApiProperty({ maxLength: 100 })
  @IsPlainText({ max: 100 })
  name: string;

  @ApiProperty({ type: [String], description: 'Staff ids of its teachers' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: eachMustBeUuid() })
  teacherIds: string[];

  @ApiPropertyOptional()
  @IsOmittable()
  @IsUUID('all', { message: 'groupId must be a UUID' })
  groupId?: string;
}

export class UpdateClassDto extends ClassTabletsAndTimetableDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOmittable()
  @IsPlainText({ max: 100 })
  name?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: eachMustBeUuid() })
  teacherIds?: string[];

  @ApiPropertyOptional({ nullable: true, description: 'null: the class has no group' })
  @ValidateIf((_o: unknown, value: unknown) => value !== undefined && value !== null)
  @IsUUID('all', { message: 'groupId must be a UUID or null' })
  groupId?: string | null;

  @ApiPropertyOptional({
    description:
      "The class's `updatedAt` as read when the change was made (RFC 3339). If the class has " +
      'changed since, nothing is saved: 409 `changed_meanwhile`. Left out, the change is made ' +
      'to the class as it is',
  })
  @IsOmittable()
  @IsRfc3339()
  updatedAt?: string;
}

export class StartSessionDto {
  @ApiPropertyOptional({
    description:
      'RFC 3339; defaults to the end of the timetabled lesson in progress, or 60 minutes from now',
  })
  @IsOmittable()
  @IsRfc3339()
  endsAt?: string;
}

/**
 * One class action; the fields beyond `action` and `deviceIds` belong to one action each, and a
 * field of another action is refused by the service with a 400 naming it.
 */
export class ClassActionDto {
  @ApiProperty({ enum: CLASS_ACTIONS })
  @IsIn(CLASS_ACTIONS, { message: `action must be one of ${CLASS_ACTIONS.join(', ')}` })
  action: ClassActionName;

  // Each limit is the one the device command it becomes (libs/devices protocol), the policy that
  // names its app (libs/policy LIMITS) or the console's check (libs/hub-api number-rules) holds.
  @ApiPropertyOptional({
    maxLength: LOCK_MESSAGE_MAX_LENGTH,
    description: 'lock: shown on the locked screen',
  })
  @IsOmittable()
  @IsPlainText({ max: LOCK_MESSAGE_MAX_LENGTH })
  message?: string;

  @ApiPropertyOptional({
    minLength: LIMITS.appIdLength.min,
    maxLength: LIMITS.appIdLength.max,
    description: 'app.lock: the app to keep the tablets in, as the policy names it',
  })
  @IsOmittable()
  @IsString()
  @MinLength(LIMITS.appIdLength.min, { message: 'appId must not be empty' })
  @MaxLength(LIMITS.appIdLength.max)
  appId?: string;

  @ApiPropertyOptional({
    maxLength: MESSAGE_TEXT_MAX_LENGTH,
    description: 'message: the text shown',
  })
  @IsOmittable()
  @IsPlainText({ max: MESSAGE_TEXT_MAX_LENGTH, multiline: true })
  text?: string;

  @ApiPropertyOptional({
    minimum: CAMERA_ALLOW_MINUTES.min,
    maximum: CAMERA_ALLOW_MINUTES.max,
    description: 'camera.allow: for how long',
  })
  @IsOmittable()
  @IsInt()
  @Min(CAMERA_ALLOW_MINUTES.min)
  @Max(CAMERA_ALLOW_MINUTES.max)
  minutes?: number;

  @ApiPropertyOptional({
    type: [String],
    description: 'Default: every tablet of the class not marked absent',
  })
  @IsOmittable()
  @IsArray()
  // An empty list would take the class's next number and change nothing: the action in force
  // (the highest seq, issue 12) would then be one that reached no tablet.
  @ArrayMinSize(1, {
    message: 'deviceIds must name at least one tablet, or be left out for the whole class',
  })
  @ArrayMaxSize(MAX_DEVICES)
  @IsUUID('all', { each: true, message: eachMustBeUuid() })
  deviceIds?: string[];
}

export class SetAbsentDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(MAX_DEVICES)
  @IsUUID('all', { each: true, message: eachMustBeUuid() })
  deviceIds: string[];

  @ApiProperty()
  @IsBoolean()
  absent: boolean;
}

/** `class.watch` / `class.unwatch` on /staff. */
export class ClassWatchDto {
  @IsUUID('all', { message: 'classId must be a UUID' })
  classId: string;
}
