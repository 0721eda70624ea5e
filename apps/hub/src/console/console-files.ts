// Serves the built teacher console (apps/teacher-console, built by `npm run build` into
// HUB_CONSOLE_DIR) at /: hashed files under /assets cached for a year, and every other page
// address answered with index.html (not cached), so the app's own routes work on reload and from
// a bookmark. /api and Socket.IO are untouched: their paths never reach the fallback, and an
// unknown /api path still gets the API's JSON 404. Every console answer carries a
// Content-Security-Policy with no inline script.
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileSystemRefusal, isFileSystemError } from '../common/file-system-refusal';

/** The hash of the one fixed <style> React Aria adds (see CONSOLE_CSP). */
const REACT_ARIA_PRESS_STYLE = "'sha256-38RhXrc7EdReTKsOm23ZPOCUgniTUUcjky8QOOrQx6o='";

/**
 * The console's Content-Security-Policy: scripts, styles and connections from the hub itself
 * only (the /staff socket over ws: or wss:), images also as data: URLs (the enrolment QR code)
 * and blob: URLs (photos and thumbnails: fetched with the bearer token, which an <img> cannot
 * send, and shown from memory), never framed. React and react-aria-components set style
 * properties through the DOM (CSSOM), which `style-src 'self'` allows; no inline <style> or
 * style attribute markup is served.
 * One exception, pinned by its hash: React Aria's usePress (switches, checkboxes) prepends a fixed
 * `<style>` to the head, `@layer { [data-react-aria-pressable] { touch-action: pan-x pan-y
 * pinch-zoom; } }`, so a touch on a control is not taken for a scroll.
 */

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data: blob:",
  `style-src 'self' ${REACT_ARIA_PRESS_STYLE}`,
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Files whose names carry their content hash: they never change, so they are cached for good. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/** Paths the console never answers: the API, its description, and Socket.IO. */
function isServerPath(urlPath: string): boolean {
  return /^\/(api|socket\.io)(\/|$)/.test(urlPath);
}

function securityHeaders(response: Response): void {
  response.setHeader('Content-Security-Policy', CONSOLE_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'same-origin');
}

/** What / says on a hub whose console has not been built: plain words and the command. */
function notBuiltPage(dir: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Console not built</title></head>',
    '<body><h1>The console has not been built</h1>',
    `<p>This hub serves the staff console from <code>${escapeHtml(dir)}</code>, which has no`,
    "<code>index.html</code>. Build it in the hub's folder with <code>npm run build</code>",
    '(or <code>npm start</code>, which builds and starts the hub), then reload this page.</p>',
    '<p>The API works meanwhile: see <a href="/api/docs">/api/docs</a>.</p>',
    '</body></html>',
  ].join('\n');
}

/**
 * What / says on a hub that cannot read its built console (HUB_CONSOLE_DIR): the file and why, in
 * the words of `fileSystemRefusal` ("this user (hub) may not open the folder …: give hub
 * permission to open it"), not "not built", which sent ICT to build a console that was there.
 */
function unreadablePage(dir: string, indexFile: string, reason: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Console cannot be read</title></head>',
    '<body><h1>The hub cannot read the console</h1>',
    `<p>This hub serves the staff console from <code>${escapeHtml(dir)}</code> (HUB_CONSOLE_DIR),`,
    `but cannot read <code>${escapeHtml(indexFile)}</code>: ${escapeHtml(reason)}.`,
    'Then reload this page.</p>',
    '<p>The API works meanwhile: see <a href="/api/docs">/api/docs</a>.</p>',
    '</body></html>',
  ].join('\n');
}

/**
 * Why the hub cannot serve `indexFile`: 'missing' when it is not there (the console has not been
 * built), the reason in words when the file system refuses it to this user (a folder it may not
 * open, a file it may not read, a file where a folder should be), or null when it can be read.
 */
function indexProblem(indexFile: string): 'missing' | { reason: string } | null {
  try {
    fs.accessSync(indexFile, fs.constants.R_OK);
    return null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return 'missing';
    }
    return { reason: fileSystemRefusal(error, { path: indexFile, use: 'read' }) };
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Mounts the console on the hub's Express app, before the API's routes. Call once, from
 * configureHub. The folder is looked at on every request, so a console built while the hub runs
 * is served without a restart.
 *
 * @param dir the built console (index.html and assets/), HubConfig.consoleDir
 */
export function serveConsole(app: NestExpressApplication, dir: string): void {
  const indexFile = path.join(dir, 'index.html');
  app.use('/assets', (request: Request, response: Response, next: NextFunction) => {
    securityHeaders(response);
    next();
  });
  app.useStaticAssets(path.join(dir, 'assets'), {
    prefix: '/assets',
    index: false,
    immutable: true,
    maxAge: 31536000 * 1000,
    dotfiles: 'ignore',
  });
  // A file of another build: plain 404, never index.html (a browser would run HTML as script).
  app.use('/assets', (request: Request, response: Response) => {
    response.status(404).setHeader('Cache-Control', 'no-store');
    response.type('text').send('Not found');
  });
  // A file the hub's user may not read: said in words, never Express's 500 with a stack trace.
  app.use(
    '/assets',
    (error: unknown, _request: Request, response: Response, next: NextFunction): void => {
      if (!isFileSystemError(error) || response.headersSent) {
        next(error);
        return;
      }
      // The path the file system refused: the file, or the folder above it this user may not open.
      const file = error.path ?? path.join(dir, 'assets');
      // Set for the file before it failed to open: not this answer's.
      response.removeHeader('ETag');
      response.removeHeader('Last-Modified');
      response.status(503).setHeader('Cache-Control', 'no-store');
      response
        .type('text')
        .send(
          `The hub cannot read ${file}: ${fileSystemRefusal(error, { path: file, use: 'read' })}`,
        );
    },
  );
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || isServerPath(request.path)) {
      next();
      return;
    }
    securityHeaders(response);
    const unservable = (problem: 'missing' | { reason: string }) => {
      response.removeHeader('ETag');
      response.status(503).setHeader('Cache-Control', 'no-store');
      response
        .type('html')
        .send(
          problem === 'missing'
            ? notBuiltPage(dir)
            : unreadablePage(dir, indexFile, problem.reason),
        );
    };
    const problem = indexProblem(indexFile);
    if (problem) {
      unservable(problem);
      return;
    }
    // The app decides what the path shows (a page, or its own "Page not found").
    response.sendFile(
      indexFile,
      { headers: { 'Cache-Control': 'no-cache' }, lastModified: false },
      (error?: Error) => {
        // Removed or made unreadable between the check and the read (a build replacing it).
        if (error && !response.headersSent) {
          unservable(indexProblem(indexFile) ?? 'missing');
        }
      },
    );
  });
}
