// Conditional GETs and cross-origin reads for the documents a client may fetch
// again and again: model metadata, the OpenAPI documents, the link index, module
// downloads and the docs UI.
//
// A route opts in with `config: { cache: '<Cache-Control>' }` (or is listed in
// CACHED_ROUTES, for routes defined elsewhere). Its 200 answers to GET and HEAD then
// carry that Cache-Control and a strong ETag (the route's own, or a hash of the body),
// and a request whose If-None-Match names the current ETag is answered 304 with no
// body (RFC 9110 §13.1.2). `config: { cors: true }` adds Access-Control-Allow-Origin: *
// and Cross-Origin-Resource-Policy: cross-origin to every answer of the route, errors
// included, so that a page on another origin can import a module or read a document.

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { global } from './context.js';
import { prependHook } from './route-hooks.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Cache-Control of the route's 200 answers; they also get an ETag and If-None-Match support. */
    cache?: string;
    /** Readable from any origin (no credentials). */
    cors?: boolean;
  }
}

/** Documents that change when models are added (SIGHUP): always revalidate, which costs a 304. */
export const REVALIDATE = 'public, no-cache';
/** A model version's module files: fresh for 5 minutes, then revalidated. */
export const MODULE_CACHE = 'public, max-age=300';
/** The docs UI's files, which change only with the compiler: fresh for a day. */
export const ASSET_CACHE = 'public, max-age=86400';

/** Routes of other plugins that get caching (oip-routes.ts: model metadata). */
export const CACHED_ROUTES: ReadonlyMap<string, string> = new Map([
  ['/v2/models/:model_name', REVALIDATE],
  ['/v2/models/:model_name/versions/:model_version', REVALIDATE],
]);

/** A strong ETag of `body`: its SHA-256, base64url. */
export function etagOf(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * True when an If-None-Match header value names `etag` (or is `*`): the client's
 * copy is current. Comparison is weak, as §13.1.2 asks: W/ prefixes are ignored.
 */
export function notModified(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = (t: string): string => t.trim().replace(/^W\//, '');
  const want = bare(etag);
  for (const part of [ifNoneMatch].flat().join(',').split(',')) {
    const t = part.trim();
    if (t === '*' || (t !== '' && bare(t) === want)) return true;
  }
  return false;
}

function isConditionalRead(req: FastifyRequest): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

function isStream(payload: unknown): payload is Readable {
  return typeof payload === 'object' && payload !== null && typeof (payload as { pipe?: unknown }).pipe === 'function';
}

/** Cache-Control (`policy`, the route's) and ETag on a 200 answer to a GET or HEAD of a cached route, and 304 when If-None-Match matches; the payload to send. */
function conditional(req: FastifyRequest, reply: FastifyReply, payload: unknown, policy: string): unknown {
  if (!isConditionalRead(req) || reply.statusCode !== 200) return payload;
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', policy);
  let etag = reply.getHeader('etag');
  if (etag === undefined) {
    if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) return payload;
    etag = etagOf(payload);
    reply.header('etag', etag);
  }
  if (!notModified(req.headers['if-none-match'], String(etag))) return payload;
  reply.code(304);
  reply.removeHeader('content-type');
  reply.removeHeader('content-length');
  // HEAD: fastify's own HEAD handler, which runs next, discards the body (and drains a stream).
  if (req.method === 'HEAD') return payload;
  if (isStream(payload)) payload.destroy();
  return null;
}

function corsHeaders(_req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.header('access-control-allow-origin', '*');
  reply.header('cross-origin-resource-policy', 'cross-origin');
  done();
}

/**
 * The caching and CORS hooks, added to the routes that use them as their own hooks when
 * each route is registered: every other route (inference included) pays nothing for them.
 */
export function cachingPlugin() {
  return global(async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRoute', (route) => {
      if (route.config?.cors === true) route.onRequest = prependHook(route.onRequest, corsHeaders);
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const policy = route.config?.cache ?? CACHED_ROUTES.get(route.url ?? '');
      if (policy !== undefined && (methods.includes('GET') || methods.includes('HEAD'))) {
        // A callback hook, not an async one: an async hook costs a promise and a microtask turn per request.
        route.onSend = prependHook(route.onSend, (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
          done(null, conditional(req, reply, payload, policy));
        });
      }
    });
  }, 'mlcompile-caching');
}
