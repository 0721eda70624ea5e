// Every body the staff API takes is JSON (issue 8: bad input gets a clear error). A body sent as
// anything else used to be skipped by the JSON parser, so the route saw no fields and answered
// 400 "name must be a string", or, for a form (`application/x-www-form-urlencoded`, which Nest's
// default parsers read), was taken as if it were JSON: a probe made a class from a form post.
// Routes that take another type check it themselves: tus uploads (`application/offset+octet-
// stream`, protocol section 5) and the asset register's CSV import (`text/csv`).
import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { quotedInput } from '@app/devices';
import { firstLineNotUtf8, NotUtf8Error } from './utf8-text';

/** A request's media type: its Content-Type without parameters, lower case ('' when none). */
export function mediaTypeOf(request: Pick<Request, 'headers'>): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Express middleware: a request under `/api` that carries a body (a Content-Length above 0, or
 * chunked) whose media type is not `application/json` is refused with 415, unless its path starts
 * with one of `ownTypes` (routes that check their own type).
 *
 * @param ownTypes path prefixes, e.g. `/api/photos/uploads`
 * @returns the middleware; it passes `UnsupportedMediaTypeException` to `next` when it refuses
 */
export function refuseBodiesThatAreNotJson(ownTypes: readonly string[]) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    const path = request.originalUrl.split('?')[0];
    if (!path.startsWith('/api/') || ownTypes.some((prefix) => path.startsWith(prefix))) {
      next();
      return;
    }
    const length = request.headers['content-length'];
    const hasBody =
      request.headers['transfer-encoding'] !== undefined ||
      (length !== undefined && length !== '0');
    const type = mediaTypeOf(request);
    next(
      hasBody && type !== 'application/json'
        ? new UnsupportedMediaTypeException(
            `Send the body as JSON (Content-Type: application/json), not ${type || 'an untyped body'}`,
          )
        : undefined,
    );
  };
}

/**
 * The JSON parser's `verify`: a body said to be UTF-8 (the default) must be. body-parser decodes
 * it as UTF-8 without a check, so bytes of another encoding (a Windows-1252 "é") reached the
 * routes as U+FFFD and were stored so; this refuses them before they are parsed.
 *
 * @throws NotUtf8Error, which explainUnreadableJson says in words
 */
export function refuseJsonThatIsNotUtf8(
  _request: Request,
  _response: Response,
  body: Buffer,
  encoding: string,
): void {
  if (/^utf-?8$/i.test(encoding)) {
    const line = firstLineNotUtf8(body);
    if (line !== null) {
      throw new NotUtf8Error(line);
    }
  }
}

/**
 * Express error middleware, mounted just after the JSON parser: a body that is not valid JSON
 * (body-parser's `entity.parse.failed`) becomes a 400 "The request body is not valid JSON".
 * Without it Nest turns the parser's SyntaxError into a 400 carrying JavaScript's own words
 * ("Unexpected token 'n', "null" is not valid JSON", "Unexpected end of JSON input"). A body
 * whose bytes are not UTF-8 (refuseJsonThatIsNotUtf8) is a 400 saying so, and one in a charset
 * the parser cannot read (`charset=iso-8859-1`) a 415 naming it, not "The request could not be
 * read". Any other error goes on as it came.
 */
export function explainUnreadableJson(
  error: unknown,
  _request: Request,
  _response: Response,
  next: NextFunction,
): void {
  const failure = error as { type?: unknown; charset?: unknown } | null;
  if (failure?.type === 'entity.parse.failed') {
    next(new BadRequestException('The request body is not valid JSON'));
    return;
  }
  if (error instanceof NotUtf8Error) {
    next(
      new BadRequestException(
        'The request body is not UTF-8 text: send JSON encoded as UTF-8, so that its letters ' +
          'are stored as they were typed',
      ),
    );
    return;
  }
  if (failure?.type === 'charset.unsupported') {
    next(
      new UnsupportedMediaTypeException(
        `Send JSON encoded as UTF-8 (charset=utf-8), not ${quotedInput(String(failure.charset))}`,
      ),
    );
    return;
  }
  next(error);
}
