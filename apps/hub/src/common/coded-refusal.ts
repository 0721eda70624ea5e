// A refusal a client must tell apart from others of its status (the desk's check-out 409s and
// 404s): its message stays in plain words for people, and a stable `code` beside it is what code
// decides by (ApiErrorBody.code), so rewording a message never changes what a client does.
import { ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';

/**
 * A 409 answered as `{ statusCode: 409, message, code }` by AllExceptionsFilter.
 *
 * @param code snake_case and stable once published: name it in the route's `ApiRoute` errors
 *   and in @app/hub-api (e.g. CHECK_OUT_REFUSALS)
 * @param message the refusal in plain words, as every other error's
 * @returns the exception to throw
 */
export function codedConflict(code: string, message: string): ConflictException {
  return new ConflictException({ message, code });
}

/**
 * A 403 answered as `{ statusCode: 403, message, code }` by AllExceptionsFilter (the AUP gate's
 * `aup_required`, ACCESS_REFUSALS): a refusal the console tells apart from a missing role.
 *
 * @param code snake_case and stable once published: name it in the route's docs and in
 *   @app/hub-api
 * @param message the refusal in plain words, as every other error's
 * @returns the exception to throw
 */
export function codedForbidden(code: string, message: string): ForbiddenException {
  return new ForbiddenException({ message, code });
}

/**
 * A 404 answered as `{ statusCode: 404, message, code }` by AllExceptionsFilter: for a route that
 * looks up more than one thing, so a client can tell which was not found (the desk's check-out:
 * the asset tag or the borrower, CHECK_OUT_NOT_FOUND) without reading the message's words.
 *
 * @param code snake_case and stable once published: name it in the route's docs and in
 *   @app/hub-api
 * @param message what was not found, in plain words, as every other error's
 * @returns the exception to throw
 */
export function codedNotFound(code: string, message: string): NotFoundException {
  return new NotFoundException({ message, code });
}
