// CORS for the whole API (module downloads have their own, always open: etag.ts):
// browsers on the allowed origins may call the server, preflight requests
// (OPTIONS with Access-Control-Request-Method) are answered before auth, which
// they cannot pass (a preflight carries no Authorization header).
//
//   MLCOMPILE_CORS_ORIGINS=https://app.example.com,https://admin.example.com   (or *, or off)
//   cors: { origins: [https://app.example.com], credentials: false, maxAge: 600 }   (or cors: off)

import corsPlugin from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from './config.js';
import { checkMapping, isSet } from './profile-parse.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface CorsSettings {
  /** Allowed origins, exactly as browsers send them (scheme://host[:port]); ['*'] for any. */
  readonly origins: readonly string[];
  /** Access-Control-Allow-Credentials (not with '*'). */
  readonly credentials: boolean;
  /** Seconds a browser may cache a preflight answer. */
  readonly maxAge: number;
}

const DEFAULT_MAX_AGE = 600;
const OFF = ['off', 'none', 'false'];

function checkOrigin(origin: string, where: string): string {
  const o = origin.trim();
  if (o === '*') return o;
  // An origin is scheme://host[:port], nothing after: what the Origin header holds.
  if (!/^https?:\/\/[^/\s?#]+$/i.test(o)) throw new ConfigError(`${where}: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], e.g. https://app.example.com, or *)`);
  return o.toLowerCase();
}

function checkOrigins(list: readonly string[], where: string): string[] {
  const origins = list.map((o) => checkOrigin(o, where)).filter((o) => o !== '');
  if (origins.length === 0) throw new ConfigError(`${where}: give at least one origin, or * for any (or off)`);
  if (origins.includes('*') && origins.length > 1) throw new ConfigError(`${where}: * already allows every origin; give * alone or a list of origins`);
  return [...new Set(origins)];
}

/** The CORS settings: MLCOMPILE_CORS_ORIGINS, else the file's cors section, else the profile's origins (null: off). */
export function readCorsSettings(env: Env, raw: unknown, profileOrigins: readonly string[] | null): CorsSettings | null {
  let origins = profileOrigins;
  let credentials = false;
  let maxAge = DEFAULT_MAX_AGE;
  if (raw === false || (typeof raw === 'string' && OFF.includes(raw.toLowerCase()))) origins = null;
  else if (raw !== undefined && raw !== null) {
    const m = checkMapping(raw, 'cors', ['origins', 'credentials', 'maxAge']);
    if (m.origins !== undefined) {
      const list = typeof m.origins === 'string' ? [m.origins] : m.origins;
      if (!Array.isArray(list) || !list.every((o) => typeof o === 'string')) throw new ConfigError('configuration file: cors.origins must be a list of origins (or *)');
      origins = checkOrigins(list, 'configuration file: cors.origins');
    }
    if (m.credentials !== undefined) {
      if (typeof m.credentials !== 'boolean') throw new ConfigError('configuration file: cors.credentials must be true or false');
      credentials = m.credentials;
    }
    if (m.maxAge !== undefined) {
      if (typeof m.maxAge !== 'number' || !Number.isInteger(m.maxAge) || m.maxAge < 0) throw new ConfigError('configuration file: cors.maxAge must be a whole number of seconds');
      maxAge = m.maxAge;
    }
  }
  if (isSet(env.MLCOMPILE_CORS_ORIGINS)) {
    const text = env.MLCOMPILE_CORS_ORIGINS.trim();
    origins = OFF.includes(text.toLowerCase()) ? null : checkOrigins(text.split(','), 'MLCOMPILE_CORS_ORIGINS');
  }
  if (origins === null) return null;
  // "*" with credentials is refused by browsers (Fetch standard, CORS protocol); say so at startup instead.
  if (credentials && origins.includes('*')) throw new ConfigError('configuration file: cors.credentials: true needs a list of origins; browsers refuse credentials with *');
  return { origins, credentials, maxAge };
}

/** Registers @fastify/cors (its onRequest hook answers preflights before auth runs). */
export async function registerCors(app: FastifyInstance, s: CorsSettings): Promise<void> {
  const any = s.origins.includes('*');
  const allowed = new Set(s.origins);
  await app.register(corsPlugin, {
    // A function, not the list: @fastify/cors would compare strings case-sensitively and
    // treat entries with dots as patterns only when given RegExps; origins are matched exactly here.
    origin: any ? '*' : (origin, cb) => cb(null, origin !== undefined && allowed.has(origin.toLowerCase())),
    credentials: s.credentials,
    maxAge: s.maxAge,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Request-Id', 'If-None-Match'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'ETag', 'Location', 'WWW-Authenticate', 'X-Model-Name', 'X-Model-Version', 'X-Model-Sha256', 'X-Routed-Version'],
    strictPreflight: false,
  });
}
