// The whole numbers the console checks before sending (libs/hub-api number-rules) are the ranges
// the hub's DTOs accept, read from the DTOs' own class-validator decorators. The enrolment,
// policy and class DTOs now take their @Min and @Max from these constants, so the two cannot
// part by a change to the constant; what this still catches is a DTO edited away from them: a
// number written back into a decorator, a bound or @IsInt dropped, another constant used.
import {
  CAMERA_ALLOW_MINUTES,
  LESSON_WEEKDAY,
  POLICY_PRIORITY,
  TOKEN_MAX_USES,
  TOKEN_TTL_MINUTES,
  type WholeNumberRange,
} from '@app/hub-api';
import { getMetadataStorage } from 'class-validator';
import { ClassActionDto, TimetableSlotDto } from './classroom/dto/class.dto';
import { CreateEnrollmentTokenDto } from './enrollment/dto/enrollment.dto';
import { AssignPolicyDto } from './policies/dto/policy.dto';

/** The @IsInt, @Min and @Max of one property of a DTO class. */
function rangeOf(dto: new () => object, property: string): WholeNumberRange & { whole: boolean } {
  const rules = getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .filter((rule) => rule.propertyName === property);
  const bound = (name: string) =>
    rules.find((rule) => rule.name === name)?.constraints?.[0] as number | undefined;
  return {
    whole: rules.some((rule) => rule.name === 'isInt'),
    min: bound('min') ?? Number.NaN,
    max: bound('max') ?? Number.NaN,
  };
}

describe('the whole-number limits the console checks', () => {
  it.each([
    ['CreateEnrollmentTokenDto.maxUses', CreateEnrollmentTokenDto, 'maxUses', TOKEN_MAX_USES],
    [
      'CreateEnrollmentTokenDto.ttlMinutes',
      CreateEnrollmentTokenDto,
      'ttlMinutes',
      TOKEN_TTL_MINUTES,
    ],
    ['AssignPolicyDto.priority', AssignPolicyDto, 'priority', POLICY_PRIORITY],
    ['ClassActionDto.minutes', ClassActionDto, 'minutes', CAMERA_ALLOW_MINUTES],
    ['TimetableSlotDto.weekday', TimetableSlotDto, 'weekday', LESSON_WEEKDAY],
  ] as const)('are what %s accepts', (_name, dto, property, range) => {
    expect(rangeOf(dto, property)).toEqual({ whole: true, ...range });
  });
});
