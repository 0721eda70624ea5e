// The one place errors become answers: {statusCode, message}, never a stack trace, and `code`
// for a refusal that carries one (codedConflict). Library errors are mapped to their HTTP status
// here; anything unknown is a 500 that is logged.
import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { MobileconfigTextError } from '@app/policy';
import type { Response } from 'express';

type ErrorMapping = [new (...args: never[]) => Error, number];

/**
 * Library error classes and the status each one means; modules add theirs at boot. Only errors
 * that always mean bad input belong here (issue 8 item 17): a profile whose stored text XML
 * cannot carry (from before such text was refused on the way in) is 422, while a signer that
 * cannot sign stays a 500.
 */
export const LIBRARY_ERROR_STATUS: ErrorMapping[] = [[MobileconfigTextError, 422]];

export function mapLibraryError(errorClass: new (...args: never[]) => Error, status: number): void {
  LIBRARY_ERROR_STATUS.push([errorClass, status]);
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      return;
    }
    const response = host.switchToHttp().getResponse<Response>();
    const { statusCode, message, code } = this.describe(exception);
    if (statusCode >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    if (response.headersSent) {
      // Too late for a status line: end the connection rather than leave the client waiting
      // for the rest of a body that will never come.
      if (!response.writableEnded) {
        response.destroy();
      }
      return;
    }
    // The route's own headers (@Header) are set before its handler runs, so they would go out
    // with the error: an SVG label's or a PEM file's type on a JSON body, and a thumbnail's
    // day-long Cache-Control on a 404 for one not yet made (the browser kept the 404 all day).
    response.removeHeader('Content-Disposition');
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response
      .status(statusCode)
      .json(code ? { statusCode, message, code } : { statusCode, message });
  }

  private describe(exception: unknown): { statusCode: number; message: string; code?: string } {
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const raw = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const message = Array.isArray(raw)
        ? raw.join('; ')
        : typeof raw === 'string'
          ? raw
          : exception.message;
      const code = typeof body === 'string' ? undefined : (body as { code?: unknown }).code;
      return {
        statusCode: exception.getStatus(),
        message,
        ...(typeof code === 'string' && code !== '' ? { code } : {}),
      };
    }
    for (const [errorClass, status] of LIBRARY_ERROR_STATUS) {
      if (exception instanceof errorClass) {
        return { statusCode: status, message: exception.message };
      }
    }
    // body-parser's errors carry their own status (bad JSON, too large).
    const parserError = exception as { type?: string; status?: number };
    if (parserError?.type === 'entity.parse.failed') {
      return { statusCode: 400, message: 'The request body is not valid JSON' };
    }
    if (parserError?.type === 'entity.too.large') {
      return { statusCode: 413, message: 'The request body is too large' };
    }
    if (
      typeof parserError?.status === 'number' &&
      parserError.status >= 400 &&
      parserError.status < 500
    ) {
      return { statusCode: parserError.status, message: 'The request could not be read' };
    }
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }
}
