// Refuses request bodies and query strings whose shape no route takes and that break the
// libraries behind validation: keys that name an object's prototype, and nesting deep enough to
// exhaust the stack of class-transformer and class-validator, which walk the value recursively
// (issue 8, items 18 and 19). Runs right after body parsing, before any route, guard or pipe, so
// every route gets the same 400.
import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { quotedInput } from '@app/devices';

/**
 * How deep a body may nest, the body itself being level 1. The deepest body any route takes is a
 * policy's Wi-Fi network (`settings.wifi.networks[0].ssid`, 5 levels); 32 leaves room for growth.
 */
export const MAX_INPUT_DEPTH = 32;

/**
 * Keys no route takes and that reach `Object.prototype` when a library copies an object key by
 * key (`target[key] = value`): `__proto__` itself, and `constructor.prototype`.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * What is wrong with a parsed JSON or query value, or null if nothing is: a key in
 * `PROTOTYPE_KEYS` at any depth, or nesting deeper than `maxDepth` levels. Walks with its own
 * stack rather than by recursion, so no input can overflow the call stack, and stops at the first
 * fault. `where` names the input in the message ("body", "query").
 */
export function unsafeInputProblem(
  value: unknown,
  where: string,
  maxDepth = MAX_INPUT_DEPTH,
): string | null {
  const pending: { value: unknown; depth: number; path: string }[] = [
    { value, depth: 1, path: where },
  ];
  while (pending.length > 0) {
    const next = pending.pop() as { value: unknown; depth: number; path: string };
    if (typeof next.value !== 'object' || next.value === null) {
      continue;
    }
    if (next.depth > maxDepth) {
      return `The request ${where} nests deeper than ${maxDepth} levels`;
    }
    if (Array.isArray(next.value)) {
      next.value.forEach((item, index) =>
        pending.push({ value: item, depth: next.depth + 1, path: `${next.path}[${index}]` }),
      );
      continue;
    }
    for (const key of Object.keys(next.value)) {
      // Keys of any length may be sent: the path a refusal names quotes each only so far.
      const path = `${next.path}.${quotedInput(key)}`;
      if (PROTOTYPE_KEYS.has(key)) {
        return `${path}: the key ${key} is not allowed`;
      }
      pending.push({
        value: (next.value as Record<string, unknown>)[key],
        depth: next.depth + 1,
        path,
      });
    }
  }
  return null;
}

/** What a JSON body that is a list is told: every route takes an object (none takes a list). */
export const BODY_NOT_OBJECT = 'The request body must be a JSON object ({ ... }), not a list';

/**
 * Express middleware, mounted after the body parsers: passes a 400 to the error handler (and so
 * to AllExceptionsFilter) when the body or the query fails `unsafeInputProblem`, or when the
 * body is a JSON list (`BODY_NOT_OBJECT`; validation would name its items as properties that
 * "should not exist", "0: property 0 should not exist").
 */
export function refuseUnsafeInput(request: Request, _response: Response, next: NextFunction): void {
  const problem =
    unsafeInputProblem(request.body, 'body') ??
    unsafeInputProblem(request.query, 'query') ??
    (Array.isArray(request.body) ? BODY_NOT_OBJECT : null);
  next(problem ? new BadRequestException(problem) : undefined);
}

/** What an address with a broken percent escape (`/api/assets/by-tag/%E0%A4%A`) is told. */
export const BROKEN_ESCAPE =
  'The address has a broken % escape (a % must be followed by two hex digits of a UTF-8 character). Check the link.';

/**
 * Express middleware, mounted before every route: passes a 400 `BROKEN_ESCAPE` to the error
 * handler (and so to AllExceptionsFilter) when the address's path cannot be decoded as UTF-8
 * percent escapes (RFC 3986 section 2.1). Express's router otherwise refused it with its own
 * words while matching a route's `:param` ("Failed to decode param '%E0%A4%A'"), and not at all
 * for a path without a param.
 */
export function refuseBrokenEscapes(
  request: Request,
  _response: Response,
  next: NextFunction,
): void {
  try {
    decodeURIComponent(request.path);
  } catch {
    next(new BadRequestException(BROKEN_ESCAPE));
    return;
  }
  next();
}
