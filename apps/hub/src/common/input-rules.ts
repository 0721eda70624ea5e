// The decorators every DTO uses for times and for text people type, so the whole API takes one
// form of each (issue 8, items 16 and 17). The rules themselves live in @app/devices, where the
// protocol's payload checks use them too.
import { applyDecorators, BadRequestException } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf, ValidationArguments, ValidationOptions } from 'class-validator';
import { plainTextProblem, PlainTextRule, rfc3339Problem } from '@app/devices';
import { MAX_DAYS_AHEAD } from '@app/hub-api';
import { spokenDate } from './local-time';

/**
 * The value must be an RFC 3339 date-time with a time zone (`2027-01-31T08:00:00Z`,
 * `2027-01-31T09:00:00+01:00`) naming a real instant; anything else is a 400 that names the
 * field. Use it for every time the API takes instead of IsISO8601/IsDateString, which let
 * through forms `new Date()` cannot read (week dates) and days that do not exist. Issue 8 item 16.
 */
export function IsRfc3339(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRfc3339',
      validator: {
        validate: (value: unknown) => rfc3339Problem(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} ${rfc3339Problem(args?.value) ?? 'is not valid'}`,
      },
    },
    options,
  );
}

/**
 * The value, a time (IsRfc3339), must be a later instant than the DTO's field `earlier`, also a
 * time: a window whose end is not after its start holds nothing, and an empty answer would read
 * as "nothing happened" rather than as dates the wrong way round. Said as a 400 naming both
 * fields: "to must be later than from: 2026-12-02T00:00:00Z is not after 2026-12-05T00:00:00Z".
 * Instants are compared, so offsets may differ. Passes when either is left out or is not a time,
 * which their own IsRfc3339 says.
 *
 * @param earlier the name of the field holding the start of the window
 */
export function IsLaterThan(earlier: string, options?: ValidationOptions): PropertyDecorator {
  const startOf = (args: ValidationArguments): unknown =>
    (args.object as Record<string, unknown>)[earlier];
  return ValidateBy(
    {
      name: 'isLaterThan',
      constraints: [earlier],
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const start = args ? startOf(args) : undefined;
          if (rfc3339Problem(value) !== null || rfc3339Problem(start) !== null) {
            return true;
          }
          return Date.parse(value as string) > Date.parse(start as string);
        },
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} must be later than ${earlier}: ${String(args?.value)} ` +
          `is not after ${String(args ? startOf(args) : '')}`,
      },
    },
    options,
  );
}

/**
 * The value must be text that a profile, a CSV and PostgreSQL can all carry (see
 * `plainTextProblem`: not blank, no control characters, no lone surrogates, `max` characters at
 * most). Surrounding spaces are trimmed before the check and the trimmed text is what the
 * handler receives, so names are stored without them (unless `trim: false`). Use it on every free-text field that comes
 * in. Issue 8 item 17.
 */
export function IsPlainText(
  rule: PlainTextRule & {
    /** false keeps surrounding spaces (the AUP, whose version is the hash of its exact text). */
    trim?: boolean;
  },
  options?: ValidationOptions,
): PropertyDecorator {
  return applyDecorators(
    // Blank text is left as sent, so it is refused as blank rather than stored as empty.
    Transform(({ value }: { value: unknown }) =>
      rule.trim !== false && typeof value === 'string' && value.trim() !== ''
        ? value.trim()
        : value,
    ),
    ValidateBy(
      {
        name: 'isPlainText',
        validator: {
          validate: (value: unknown) => plainTextProblem(value, rule) === null,
          defaultMessage: (args?: ValidationArguments) =>
            `${args?.property ?? 'value'} ${plainTextProblem(args?.value, rule) ?? 'is not valid'}`,
        },
      },
      options,
    ),
  );
}

/**
 * The field may be left out of a request body. `null` is not the same as left out: it is
 * checked like any other value, so the field's own rules refuse it with a 400 that names it.
 * class-validator's IsOptional lets null past every rule, and services that test a field with
 * `!== undefined` then met it: `null.trim()`, or a NOT NULL column, answered 500 (issue 8,
 * inputs that reach a 500). Use it for every optional field of a body; query strings never
 * carry null, so their DTOs keep IsOptional.
 */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined, options);
}

/**
 * Refuses a time more than `MAX_DAYS_AHEAD` days (366) after `now`: a loan's `dueAt`, a trip's
 * `endsAt`. Such a time is a mistyped year, and the hub would keep it as given (a loan never
 * overdue, a trip's overlay on its kit for a century).
 *
 * @param field the request's field, named in the message
 * @param when the time given
 * @param now the hub's clock
 * @param timeZone the school's (`HUB_TIME_ZONE`): the message names the day there, in words
 * @throws BadRequestException 400 "`field` is more than a year ahead (Tuesday 5 December 2028):
 *   check the year"
 */
export function refuseTooFarAhead(field: string, when: Date, now: Date, timeZone: string): void {
  if (when.getTime() - now.getTime() > MAX_DAYS_AHEAD * 24 * 60 * 60 * 1000) {
    throw new BadRequestException(
      `${field} is more than a year ahead (${spokenDate(when, timeZone)}): check the year`,
    );
  }
}
