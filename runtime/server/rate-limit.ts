// Rate limits: at most `max` requests per client in each window of `windowMs`
// (a fixed window per client, @fastify/rate-limit's in-memory store). A client is
// its bearer token when auth is on, else its IP address; requests with a wrong
// token count against their IP, which also slows down token guessing. Over the
// limit: 429 with a JSON error and Retry-After (seconds until the window ends).
//
//   MLCOMPILE_RATE_LIMIT=100/1m    (or 100/10s, 100/500ms, 100 = per minute, off)
//   limits: { rate: { max: 100, window: 1m } }    or    limits: { rate: "100/1m" }, rate: off

import rateLimitPlugin from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from './config.js';
import { ServerError } from './errors.js';
import { checkMapping, isSet } from './profile-parse.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface RateLimitSettings {
  /** Requests per client per window. */
  readonly max: number;
  readonly windowMs: number;
}

const WINDOW_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000 };

/** "10s", "1m", "1 minute", "500ms", "1h", or a number of milliseconds. */
export function parseWindow(value: unknown, where: string): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${where}=${value}: give a window in milliseconds (at least 1), or with a unit: 10s, 1m`);
    return value;
  }
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null;
  const unit = m === null ? undefined : m[2] === '' ? 1 : WINDOW_UNITS[m[2].toLowerCase()];
  const ms = m === null || unit === undefined ? NaN : Math.round(Number(m[1]) * unit);
  if (!(ms >= 1)) throw new ConfigError(`${where}=${JSON.stringify(value)}: give a window such as 500ms, 10s, 1m or 1h`);
  return ms;
}

function parseMax(value: unknown, where: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ConfigError(`${where}=${JSON.stringify(value)}: give a whole number of requests, at least 1`);
  return n;
}

const OFF = ['off', 'none', 'false', '0'];

/** "100/1m", "100" (per minute) or "off". */
export function parseRateText(text: string, where: string): RateLimitSettings | null {
  const t = text.trim();
  if (OFF.includes(t.toLowerCase())) return null;
  const slash = t.indexOf('/');
  if (slash < 0) return { max: parseMax(t, where), windowMs: 60_000 };
  return { max: parseMax(t.slice(0, slash), where), windowMs: parseWindow(t.slice(slash + 1), where) };
}

/** The rate limit: MLCOMPILE_RATE_LIMIT, else the file's limits.rate, else the profile's. */
export function readRateLimitSettings(env: Env, limits: unknown, profileDefault: RateLimitSettings | null): RateLimitSettings | null {
  if (isSet(env.MLCOMPILE_RATE_LIMIT)) return parseRateText(env.MLCOMPILE_RATE_LIMIT, 'MLCOMPILE_RATE_LIMIT');
  if (limits === undefined || limits === null) return profileDefault;
  const rate = checkMapping(limits, 'limits', ['body', 'rate']).rate;
  if (rate === undefined) return profileDefault;
  if (rate === false || rate === null) return null;
  if (typeof rate === 'string') return parseRateText(rate, 'configuration file: limits.rate');
  const m = checkMapping(rate, 'limits.rate', ['max', 'window']);
  if (m.max === undefined) throw new ConfigError('configuration file: limits.rate.max is missing (requests per client per window)');
  return { max: parseMax(m.max, 'configuration file: limits.rate.max'), windowMs: m.window === undefined ? 60_000 : parseWindow(m.window, 'configuration file: limits.rate.window') };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The rate limit's key for this request: `token:<digest prefix>` or `ip:<address>`. */
    mlClient: string;
  }
}

/** Checks one request of a client: resolves when it may go on, throws the 429 (headers set) when not. */
export type RateLimiter = (req: FastifyRequest, reply: FastifyReply, client: string) => Promise<void>;

/**
 * A limiter over @fastify/rate-limit's store. `settings` is read on every call, so a
 * reload that changes max or window applies at once (it needs the plugin registered:
 * a limit turned on by a reload needs a restart).
 */
export async function createRateLimiter(app: FastifyInstance, settings: { current: RateLimitSettings }): Promise<RateLimiter> {
  // The plugin only adds decorators here: `global: false` keeps it off every route's hooks
  // (profile-hooks.ts calls the check from its own hook, after identifying the client).
  await app.register(rateLimitPlugin, { global: false });
  app.decorateRequest('mlClient', '');
  const check = app.createRateLimit({
    // The key is ours (the client), handed over through the request.
    keyGenerator: (req) => req.mlClient,
    max: () => settings.current.max,
    timeWindow: () => settings.current.windowMs,
  });
  return async (req, reply, client) => {
    req.mlClient = client;
    const r = await check(req);
    if (r.isAllowed || !r.isExceeded) return;
    reply.header('retry-after', String(Math.max(1, r.ttlInSeconds)));
    reply.header('x-ratelimit-limit', String(r.max));
    reply.header('x-ratelimit-remaining', '0');
    throw new ServerError('MLS_ERR_RATE_LIMITED', `too many requests: at most ${r.max} per ${r.timeWindow / 1000} s per client; retry in ${Math.max(1, r.ttlInSeconds)} s`);
  };
}
