// Environments: MLCOMPILE_PROFILE=development|test|production (or `profile:` in the
// configuration file) picks a set of defaults for the log level, the capture rate,
// bearer-token auth, rate limits, CORS and the body limit. Each setting is then taken
// from the first place that gives it (docs/server.md, "Environments"):
//
//   1. the environment (LOG_LEVEL, MLCOMPILE_BODY_LIMIT, MLCOMPILE_AUTH_TOKENS, ...)
//   2. the configuration file's sections (profile, auth, limits, cors)
//   3. the profile's defaults (PROFILES below)
//
// Unset means `development`: what `node server.mjs` always did (nothing refused, no
// hooks added); production has to be asked for, and then refuses to start without
// tokens unless told explicitly that no auth is wanted.

import { DEFAULT_BODY_LIMIT, ConfigError, LOG_LEVELS, parseByteSize } from './config.js';
import type { ConfigSections } from './config-file.js';
import { readAuthSettings, type AuthSettings } from './auth.js';
import { readCorsSettings, type CorsSettings } from './cors.js';
import { readRateLimitSettings, type RateLimitSettings } from './rate-limit.js';
import { checkMapping, isSet } from './profile-parse.js';

type Env = Readonly<Record<string, string | undefined>>;

export const PROFILE_NAMES = ['development', 'test', 'production'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface ProfileDefaults {
  readonly logLevel: string;
  /** Default share of requests data capture records once capture is configured (undefined: capture's own default, 0). */
  readonly captureRate: number | undefined;
  /** True: refuse to start without tokens. */
  readonly authRequired: boolean;
  readonly rateLimit: RateLimitSettings | null;
  /** Allowed origins (['*']: any), or null for no CORS beyond module downloads. */
  readonly corsOrigins: readonly string[] | null;
  readonly bodyLimit: number;
}

/**
 * development: the server as it always was (a local `node server.mjs` is never refused).
 * test: a shared test environment: verbose logs, every request captured, any origin.
 * production: auth required, rate limited per client, no cross-origin calls, 1 MiB bodies.
 */
export const PROFILES: Readonly<Record<ProfileName, ProfileDefaults>> = {
  development: { logLevel: 'info', captureRate: undefined, authRequired: false, rateLimit: null, corsOrigins: null, bodyLimit: DEFAULT_BODY_LIMIT },
  test: { logLevel: 'debug', captureRate: 1, authRequired: false, rateLimit: null, corsOrigins: ['*'], bodyLimit: DEFAULT_BODY_LIMIT },
  production: { logLevel: 'info', captureRate: 0.1, authRequired: true, rateLimit: { max: 60_000, windowMs: 60_000 }, corsOrigins: null, bodyLimit: 1024 * 1024 },
};

/** The effective settings of this server process. */
export interface EnvironmentSettings {
  readonly profile: ProfileName;
  readonly logLevel: string;
  readonly captureRate: number | undefined;
  readonly bodyLimit: number;
  readonly auth: AuthSettings;
  readonly rateLimit: RateLimitSettings | null;
  readonly cors: CorsSettings | null;
}

function checkProfileName(text: string, where: string): ProfileName {
  const name = text.trim().toLowerCase();
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) throw new ConfigError(`${where}=${JSON.stringify(text)}: use one of ${PROFILE_NAMES.join(', ')}`);
  return name as ProfileName;
}

interface ProfileSection {
  readonly name: ProfileName | undefined;
  readonly logLevel: string | undefined;
  readonly captureRate: number | undefined;
}

/** `profile: production`, or `profile: { name: production, logLevel: warn, captureRate: 0.05 }`. */
export function parseProfileSection(raw: unknown): ProfileSection {
  if (raw === undefined || raw === null) return { name: undefined, logLevel: undefined, captureRate: undefined };
  if (typeof raw === 'string') return { name: checkProfileName(raw, 'configuration file: profile'), logLevel: undefined, captureRate: undefined };
  const m = checkMapping(raw, 'profile', ['name', 'logLevel', 'captureRate']);
  let name: ProfileName | undefined;
  if (m.name !== undefined) {
    if (typeof m.name !== 'string') throw new ConfigError('configuration file: profile.name must be development, test or production');
    name = checkProfileName(m.name, 'configuration file: profile.name');
  }
  let logLevel: string | undefined;
  if (m.logLevel !== undefined) {
    if (typeof m.logLevel !== 'string' || !LOG_LEVELS.includes(m.logLevel.toLowerCase())) throw new ConfigError(`configuration file: profile.logLevel=${JSON.stringify(m.logLevel)}: use one of ${LOG_LEVELS.join(', ')}`);
    logLevel = m.logLevel.toLowerCase();
  }
  let captureRate: number | undefined;
  if (m.captureRate !== undefined) captureRate = checkRate(m.captureRate, 'configuration file: profile.captureRate');
  return { name, logLevel, captureRate };
}

function checkRate(value: unknown, where: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !(n >= 0 && n <= 1)) throw new ConfigError(`${where}=${JSON.stringify(value)}: give a share of requests from 0 to 1`);
  return n;
}

/** `limits: { body: 5mb, rate: ... }` (rate: rate-limit.ts). */
function bodyLimitFromFile(limits: unknown): number | undefined {
  if (limits === undefined || limits === null) return undefined;
  const m = checkMapping(limits, 'limits', ['body', 'rate']);
  if (m.body === undefined) return undefined;
  if (typeof m.body === 'number') {
    if (!Number.isInteger(m.body) || m.body < 1) throw new ConfigError(`configuration file: limits.body=${m.body}: give a size in bytes (at least 1), or with a unit: 512kb, 5mb`);
    return m.body;
  }
  if (typeof m.body !== 'string') throw new ConfigError('configuration file: limits.body: give a size in bytes, or with a unit: 512kb, 5mb');
  return parseByteSize(m.body, 'configuration file: limits.body');
}

/**
 * The effective settings: environment > configuration file > profile. Throws
 * ConfigError (main.ts: exit 2) for a bad value, and when auth is required but no
 * token is given (production, unless MLCOMPILE_ALLOW_NO_AUTH=1 or auth.required: false).
 */
export function resolveEnvironment(env: Env, sections: ConfigSections): EnvironmentSettings {
  const fromFile = parseProfileSection(sections.profile);
  const profile = isSet(env.MLCOMPILE_PROFILE) ? checkProfileName(env.MLCOMPILE_PROFILE, 'MLCOMPILE_PROFILE') : fromFile.name ?? 'development';
  const defaults = PROFILES[profile];

  // LOG_LEVEL and MLCOMPILE_LOG_LEVEL are checked by readConfig (config.ts); LOG_LEVEL wins.
  const levelText = isSet(env.LOG_LEVEL) ? env.LOG_LEVEL : isSet(env.MLCOMPILE_LOG_LEVEL) ? env.MLCOMPILE_LOG_LEVEL : undefined;
  const logLevel = levelText?.trim().toLowerCase() ?? fromFile.logLevel ?? defaults.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL=${JSON.stringify(levelText)}: use one of ${LOG_LEVELS.join(', ')}`);

  // The profile's rate is a default for capture once it is configured (a capture section or
  // MLCOMPILE_CAPTURE_DIR): a profile alone never starts writing files. MLCOMPILE_CAPTURE_RATE
  // and capture.rate are capture's own (capture.ts) and win over this.
  const captureConfigured = sections.capture !== undefined || isSet(env.MLCOMPILE_CAPTURE_DIR);
  const captureRate = fromFile.captureRate ?? (captureConfigured ? defaults.captureRate : undefined);
  const bodyLimit = isSet(env.MLCOMPILE_BODY_LIMIT) ? parseByteSize(env.MLCOMPILE_BODY_LIMIT, 'MLCOMPILE_BODY_LIMIT') : bodyLimitFromFile(sections.limits) ?? defaults.bodyLimit;

  return {
    profile,
    logLevel,
    captureRate,
    bodyLimit,
    auth: readAuthSettings(env, sections.auth, defaults.authRequired, profile),
    rateLimit: readRateLimitSettings(env, sections.limits, defaults.rateLimit),
    cors: readCorsSettings(env, sections.cors, defaults.corsOrigins),
  };
}

/** The startup log line's fields: every effective setting, no secrets (token counts, not tokens). */
export function describeEnvironment(s: EnvironmentSettings): Record<string, unknown> {
  return {
    profile: s.profile,
    logLevel: s.logLevel,
    captureRate: s.captureRate ?? 'capture default',
    bodyLimit: s.bodyLimit,
    auth: s.auth.tokens.length > 0 ? `bearer (${s.auth.tokens.length} token${s.auth.tokens.length === 1 ? '' : 's'}, /metrics ${s.auth.metrics})` : 'off',
    rateLimit: s.rateLimit === null ? 'off' : `${s.rateLimit.max} requests per ${s.rateLimit.windowMs / 1000} s per client`,
    cors: s.cors === null ? 'off' : s.cors.origins.join(' '),
  };
}
