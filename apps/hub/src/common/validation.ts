// The one ValidationPipe: unknown fields refused, and each message names the field that was wrong.
import {
  BadRequestException,
  ParseUUIDPipe,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';

export function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  const messages: string[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const text of Object.values(error.constraints ?? {})) {
      // class-validator says "property x should not exist" for unknown fields: keep the path.
      messages.push(
        text.startsWith(error.property)
          ? `${field}${text.slice(error.property.length)}`
          : `${field}: ${text}`,
      );
    }
    if (error.children?.length) {
      messages.push(...flattenValidationErrors(error.children, field));
    }
  }
  return messages;
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
