// The one ValidationPipe: unknown fields refused, and each message names the field that was wrong.
import {
  BadRequestException,
  ParseUUIDPipe,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { isUUID, type ValidationArguments } from 'class-validator';
import { quotedInput } from '@app/devices';

/** class-validator's names of the rules that check a value's type. */
const TYPE_RULES: ReadonlySet<string> = new Set([
  'isString',
  'isArray',
  'isInt',
  'isNumber',
  'isBoolean',
  'isObject',
]);

/**
 * class-validator's own words for its list and length rules, said as the hub's own messages say
 * them (`plainTextProblem`'s "must be at most 128 characters"): "All roles's elements must be
 * unique" is "roles must not name anything twice", "must contain at least 1 elements" is "must
 * name at least 1", "must be shorter than or equal to 256 characters" (a bare `@MaxLength`) is
 * "must be at most 256 characters". A DTO's own message is left as it is.
 */
function inPlainWords(text: string, property: string): string {
  if (text === `All ${property}'s elements must be unique`) {
    return `${property} must not name anything twice`;
  }
  return text
    .replace(/ must contain at least (\d+) elements$/, ' must name at least $1')
    .replace(/ must contain no more than (\d+) elements$/, ' must name at most $1')
    .replace(
      / must be shorter than or equal to (\d+) characters$/,
      ' must be at most $1 characters',
    )
    .replace(
      / must be longer than or equal to (\d+) characters$/,
      ' must be at least $1 characters',
    );
}

/**
 * The messages of class-validator's errors, each naming its field by its path in the body
 * (`timetable.0.start must be …`), for the 400 the ValidationPipe answers.
 *
 * A field the body leaves out that the route needs is named once, as "`field` is required":
 * class-validator runs every rule of a missing field, and a missing `deviceIds` was answered
 * "deviceIds must contain no more than 100 elements; each of deviceIds must be a UUID; deviceIds
 * must be an array", none of which says what was wrong. Optional fields (`@IsOmittable`) are
 * not checked when left out, so this never names one of them. Likewise a value of the wrong type
 * is named by its type's rule alone ("deviceIds must be an array"), not with its other rules.
 *
 * @param errors class-validator's errors for one body
 * @param parent the path of the object they belong to, for nested bodies
 * @returns one message per broken rule, or one per missing field
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  const messages: string[] = [];
  for (const error of errors) {
    // A body may name an unknown field of any length: it is quoted only so far (quotedInput).
    const property = quotedInput(error.property);
    const field = parent ? `${parent}.${property}` : property;
    if (error.value === undefined && error.constraints && !error.constraints.whitelistValidation) {
      messages.push(`${field} is required`);
      continue;
    }
    // A value of the wrong type (a string for a list, null for a name) breaks every rule of its
    // field; only the type's is worth reading ("deviceIds must be an array").
    const constraints = error.constraints ?? {};
    const wrongType = Object.keys(constraints).filter((name) => TYPE_RULES.has(name));
    const texts = wrongType.length
      ? wrongType.map((name) => constraints[name])
      : Object.values(constraints);
    for (const said of texts.map((text) => inPlainWords(text, error.property))) {
      const text = property === error.property ? said : said.split(error.property).join(property);
      // class-validator says "property x should not exist" for unknown fields: keep the path.
      messages.push(
        text.startsWith(property) ? `${field}${text.slice(property.length)}` : `${field}: ${text}`,
      );
    }
    if (error.children?.length) {
      messages.push(...flattenValidationErrors(error.children, field));
    }
  }
  return messages;
}

/** How many of a list's elements that break a rule its message names; the rest are counted. */
export const NAMED_MISFITS_MAX = 5;

/** One element of a list as a refusal quotes it: text in quotes (quotedInput), else as JSON. */
function quotedElement(element: unknown): string {
  return typeof element === 'string'
    ? `"${quotedInput(element)}"`
    : quotedInput(JSON.stringify(element) ?? String(element));
}

/**
 * The `message` of a rule checked on each element of a list (`each: true`), naming the elements
 * that break it, so the person can find the one to fix: "assetTags must each be 1 to 64 letters,
 * digits, dots, dashes or underscores: "LT/01" and "OAK#3" are not". class-validator's own
 * message ("each value in groupIds must be a UUID") and a fixed one name none, which for a trip's
 * kit of 30 tags left the leader to guess. Each element is quoted by quotedElement (a long one
 * cut short), each named once, at most NAMED_MISFITS_MAX of them, then "and N more".
 *
 * @param rule what each element must be, said after "must each be" ("a UUID")
 * @param fits the test the decorator makes of one element (the same pattern or list of values)
 * @returns the decorator's `message` option: "`property` must each be `rule`", then the misfits
 */
export function eachMustBe(
  rule: string,
  fits: (element: unknown) => boolean,
): (args: ValidationArguments) => string {
  return ({ property, value }) => {
    const said = `${property} must each be ${rule}`;
    const misfits = [
      ...new Set(
        (Array.isArray(value) ? (value as unknown[]) : [value])
          .filter((element) => !fits(element))
          .map(quotedElement),
      ),
    ];
    if (misfits.length === 0) {
      return said;
    }
    const named = misfits.slice(0, NAMED_MISFITS_MAX);
    const more = misfits.length - named.length;
    const list =
      more > 0
        ? `${named.join(', ')} and ${more} more`
        : named.length > 1
          ? `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`
          : named[0];
    return `${said}: ${list} ${misfits.length === 1 ? 'is' : 'are'} not`;
  };
}

/**
 * eachMustBe for `@IsUUID(version, { each: true })`: "deviceIds must each be a UUID: "Oak 01" is
 * not".
 *
 * @param version the UUID version the decorator checks, the same as its first argument
 * @param rule what each id must be, said after "must each be"
 */
export function eachMustBeUuid(
  version: '4' | 'all' = 'all',
  rule = 'a UUID',
): (args: ValidationArguments) => string {
  return eachMustBe(rule, (id) => typeof id === 'string' && isUUID(id, version));
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new BadRequestException(flattenValidationErrors(errors).join('; ')),
  });
}

/**
 * The pipe for an id in the address (`/api/devices/:id`): the UUID as given, or 400 in words a
 * member of staff can act on. Nest's own ParseUUIDPipe says "Validation failed (uuid is
 * expected)", which the console showed as it was for a mistyped or cut-off link.
 *
 * @throws BadRequestException 400 when the id is not a UUID
 */
export class IdInPath extends ParseUUIDPipe {
  constructor() {
    super({
      exceptionFactory: () =>
        new BadRequestException(
          'The id in the address is not one the hub gives out (a UUID). Check the link.',
        ),
    });
  }
}
