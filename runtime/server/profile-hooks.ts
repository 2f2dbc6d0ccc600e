// The environment's request-time parts in one plugin: CORS (@fastify/cors), then
// one onRequest hook that identifies the client (its bearer token), applies the
// rate limit, and refuses a missing or wrong token with 401.
//
// Nothing is registered for a part that is off: with none on (the development
// profile without settings), no hook runs and requests cost what they did before.
// Health probes (/v2/health/*, /ping) are never limited or refused: Kubernetes and
// load balancers call them without tokens. /metrics is open unless auth.metrics is
// `protected`, and never rate limited (scrapers poll it).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TokenVerifier } from './auth.js';
import { global } from './context.js';
import { registerCors } from './cors.js';
import { ServerError } from './errors.js';
import type { EnvironmentSettings } from './profile.js';
import { createRateLimiter, type RateLimitSettings } from './rate-limit.js';

/** Routes any caller may use: liveness/readiness probes (Open Inference Protocol, SageMaker). */
export const OPEN_ROUTES: ReadonlySet<string> = new Set(['/v2/health/live', '/v2/health/ready', '/ping']);
const METRICS_ROUTE = '/metrics';

/** What a reload may change without a restart (features on at startup only). */
export interface AccessControls {
  /** Replaces the tokens and the rate limit's numbers. */
  update(settings: EnvironmentSettings): void;
}

/** True when the environment needs the access hook (auth or a rate limit). */
export function needsAccessHook(s: EnvironmentSettings): boolean {
  return s.auth.tokens.length > 0 || s.rateLimit !== null;
}

/** True when any request-time part is on. */
export function hasAccessControls(s: EnvironmentSettings): boolean {
  return needsAccessHook(s) || s.cors !== null;
}

function unauthorized(reply: FastifyReply, presented: boolean): ServerError {
  // RFC 6750 §3: the challenge; error="invalid_token" only when a token was presented.
  reply.header('www-authenticate', presented ? 'Bearer realm="mlcompile", error="invalid_token"' : 'Bearer realm="mlcompile"');
  return presented
    ? new ServerError('MLS_ERR_UNAUTHORIZED', 'the bearer token is not valid for this server')
    : new ServerError('MLS_ERR_UNAUTHORIZED', 'this server requires a bearer token: send Authorization: Bearer <token>');
}

/**
 * The plugin (register it before the routes: its hooks apply to routes registered
 * after it). `controls` receives the handle for reloads.
 */
export function accessControlPlugin(settings: EnvironmentSettings, onReady?: (controls: AccessControls) => void) {
  return global(async (app: FastifyInstance): Promise<void> => {
    if (settings.cors !== null) await registerCors(app, settings.cors);

    let verifier = settings.auth.tokens.length > 0 ? new TokenVerifier(settings.auth.tokens) : null;
    let metricsOpen = settings.auth.metrics === 'open';
    const rate: { current: RateLimitSettings } | null = settings.rateLimit === null ? null : { current: settings.rateLimit };
    const limit = rate === null ? null : await createRateLimiter(app, rate);

    onReady?.({
      update(next) {
        if (verifier !== null && next.auth.tokens.length > 0) verifier = new TokenVerifier(next.auth.tokens);
        metricsOpen = next.auth.metrics === 'open';
        if (rate !== null && next.rateLimit !== null) rate.current = next.rateLimit;
      },
    });
    if (verifier === null && limit === null) return;

    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const route = req.routeOptions.url;
      if (route !== undefined && OPEN_ROUTES.has(route)) return;
      const isMetrics = route === METRICS_ROUTE;
      if (isMetrics && (metricsOpen || verifier === null)) return;
      const match = verifier === null ? -2 : verifier.match(req.headers.authorization);
      // A valid token is the client; anything else is its address (so guessing is limited too).
      if (limit !== null && !isMetrics) await limit(req, reply, match >= 0 && verifier !== null ? verifier.clientIds[match] : `ip:${req.ip}`);
      if (verifier !== null && match < 0) throw unauthorized(reply, match === -1);
    });
  }, 'mlcompile-access-control');
}
