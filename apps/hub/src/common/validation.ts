// The one ValidationPipe: unknown fields refused, and each message names the field that was wrong.
import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

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
