// Bearer-token auth: `Authorization: Bearer <token>`, the tokens from
// MLCOMPILE_AUTH_TOKENS (comma-separated) and/or a file (MLCOMPILE_AUTH_TOKENS_FILE: a
// Kubernetes Secret mounted as a file), one or more per line or comma-separated; without
// either, from the configuration file's auth.tokensFile and/or auth.tokens.
//
// Comparison is constant-time and says nothing about the tokens: each configured
// token is kept only as its SHA-256, the presented token is hashed the same way, and
// the 32-byte digests are compared with crypto.timingSafeEqual against every
// configured token, without stopping at a match. The time taken then depends on
// neither which token matched nor any token's length or content.

import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config.js';
import { checkMapping, isSet } from './profile-parse.js';

type Env = Readonly<Record<string, string | undefined>>;

export type MetricsAccess = 'open' | 'protected';

export interface AuthSettings {
  /** The accepted tokens (empty: auth is off). Never logged. */
  readonly tokens: readonly string[];
  /** Whether GET /metrics needs a token too (health probes never do). */
  readonly metrics: MetricsAccess;
}

/** RFC 6750's b64token, without its trailing '=' padding restriction: what a bearer token may contain. */
const TOKEN_SYNTAX = /^[A-Za-z0-9\-._~+/=]+$/;

/** Tokens in `text`: comma- or newline-separated, blank entries and `#` comment lines ignored. */
export function parseTokenList(text: string, where: string): string[] {
  const tokens: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim().startsWith('#')) continue;
    for (const part of line.split(',')) {
      const token = part.trim();
      if (token === '') continue;
      // The message names the position, never the token (it may be a real secret with a typo).
      if (!TOKEN_SYNTAX.test(token)) throw new ConfigError(`${where}: token ${tokens.length + 1} has characters a bearer token cannot have (use letters, digits and - . _ ~ + / =)`);
      tokens.push(token);
    }
  }
  return tokens;
}

function readTokenFile(path: string, where: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${where}=${JSON.stringify(path)}: cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseTokenList(text, `${where}=${JSON.stringify(path)}`);
}

function isTrue(text: string | undefined): boolean {
  return text !== undefined && ['1', 'true', 'yes', 'on'].includes(text.trim().toLowerCase());
}

/**
 * The auth settings: tokens from the environment and the token file; `required`
 * (the profile's, or auth.required in the file, or MLCOMPILE_ALLOW_NO_AUTH=1 turning it
 * off) makes a start without tokens an error.
 */
export function readAuthSettings(env: Env, raw: unknown, profileRequires: boolean, profile: string): AuthSettings {
  let required = profileRequires;
  let fileTokensPath: string | undefined;
  let fileTokens: string[] = [];
  let metrics: MetricsAccess = 'open';
  if (raw !== undefined && raw !== null) {
    const m = checkMapping(raw, 'auth', ['required', 'tokensFile', 'metrics', 'tokens']);
    if (m.tokens !== undefined) {
      // Allowed (a configuration file mounted from a Secret), though the environment or a token file is the usual place.
      const list = typeof m.tokens === 'string' ? [m.tokens] : m.tokens;
      if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) throw new ConfigError('configuration file: auth.tokens must be a list of tokens');
      fileTokens = parseTokenList(list.join(','), 'configuration file: auth.tokens');
    }
    if (m.required !== undefined) {
      if (typeof m.required !== 'boolean') throw new ConfigError('configuration file: auth.required must be true or false');
      required = m.required;
    }
    if (m.tokensFile !== undefined) {
      if (typeof m.tokensFile !== 'string' || m.tokensFile.trim() === '') throw new ConfigError('configuration file: auth.tokensFile must be a file path');
      fileTokensPath = m.tokensFile;
    }
    if (m.metrics !== undefined) {
      if (m.metrics !== 'open' && m.metrics !== 'protected') throw new ConfigError(`configuration file: auth.metrics=${JSON.stringify(m.metrics)}: use open or protected`);
      metrics = m.metrics;
    }
  }
  if (isSet(env.MLCOMPILE_AUTH_METRICS)) {
    const v = env.MLCOMPILE_AUTH_METRICS.trim().toLowerCase();
    if (v !== 'open' && v !== 'protected') throw new ConfigError(`MLCOMPILE_AUTH_METRICS=${JSON.stringify(env.MLCOMPILE_AUTH_METRICS)}: use open or protected`);
    metrics = v;
  }
  if (isTrue(env.MLCOMPILE_ALLOW_NO_AUTH)) required = false;

  // Tokens from the environment (either variable, joined) replace the configuration file's.
  const tokens: string[] = [];
  if (isSet(env.MLCOMPILE_AUTH_TOKENS)) tokens.push(...parseTokenList(env.MLCOMPILE_AUTH_TOKENS, 'MLCOMPILE_AUTH_TOKENS'));
  if (isSet(env.MLCOMPILE_AUTH_TOKENS_FILE)) tokens.push(...readTokenFile(env.MLCOMPILE_AUTH_TOKENS_FILE.trim(), 'MLCOMPILE_AUTH_TOKENS_FILE'));
  if (tokens.length === 0 && !isSet(env.MLCOMPILE_AUTH_TOKENS) && !isSet(env.MLCOMPILE_AUTH_TOKENS_FILE)) {
    tokens.push(...fileTokens);
    if (fileTokensPath !== undefined) tokens.push(...readTokenFile(fileTokensPath, 'configuration file: auth.tokensFile'));
  }

  if (required && tokens.length === 0) {
    throw new ConfigError(
      `the ${profile} profile requires bearer-token auth, and no token is set: give tokens in MLCOMPILE_AUTH_TOKENS (comma-separated) ` +
      'or MLCOMPILE_AUTH_TOKENS_FILE, or run without auth explicitly with MLCOMPILE_ALLOW_NO_AUTH=1 (or auth: { required: false } in the configuration file)',
    );
  }
  return { tokens: [...new Set(tokens)], metrics };
}

/**
 * SHA-256 of a token: crypto.hash (one call, no Hash object to build) where Node
 * has it (20.12+), createHash before. Read from the namespace: a named import of `hash`
 * would fail to link on older Node 20 releases.
 */
const digest: (token: string) => Buffer = typeof crypto.hash === 'function'
  ? (token) => crypto.hash('sha256', token, 'buffer')
  : (token) => crypto.createHash('sha256').update(token, 'utf8').digest();

/** Matches an Authorization header against the configured tokens, in constant time. */
export class TokenVerifier {
  private readonly digests: readonly Buffer[];
  /** Per token, a short id for the rate limiter's key: stable across reloads (not the token's position), no secret in it. */
  readonly clientIds: readonly string[];

  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new Error('TokenVerifier needs at least one token');
    this.digests = tokens.map(digest);
    this.clientIds = this.digests.map((d) => `token:${d.subarray(0, 8).toString('hex')}`);
  }

  /**
   * The index of the token an `Authorization: Bearer <token>` header carries, -1 for
   * a wrong token, -2 when there is no bearer token at all (no header, another scheme).
   */
  match(header: string | undefined): number {
    if (header === undefined || header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') return -2;
    const token = header.slice(7).trim();
    if (token === '') return -2;
    const presented = digest(token);
    let found = -1;
    // Every digest is compared (no early exit): the time does not say which token matched.
    for (let i = 0; i < this.digests.length; i++) {
      if (crypto.timingSafeEqual(presented, this.digests[i])) found = i;
    }
    return found;
  }
}
