// What the plugins share: the model repository, the server's state, and the
// per-request fields routes fill in for the metrics plugin.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ModelRepository, ModelVersion } from './models-repository.js';
import type { Router } from './routing.js';
import type { ShadowRecorder } from './shadow.js';

export interface ServerState {
  /** False until the models are loaded and again once shutdown begins (readiness probes then fail). */
  ready: boolean;
}

export interface AppContext {
  readonly repository: ModelRepository;
  readonly state: ServerState;
  readonly serverName: string;
  readonly serverVersion: string;
  /** Picks the version of requests that name none (routing.ts) and sets X-Routed-Version. */
  readonly router: Router;
  /**
   * Puts X-Request-Id on the answer, gives the request its logger (req.log, bound to the
   * request id) and has the answer reported once sent (its metrics and access line: app.ts).
   * The request-id hook does it for most routes; the routes without that hook
   * (`config: { requestId: 'handler' }`: the infer routes) call it from their handler.
   */
  readonly tagAnswer: (req: FastifyRequest, reply: FastifyReply) => void;
  /** Mirrors routed requests to their model's shadow version (shadow.ts). */
  readonly shadow: ShadowRecorder;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The model version a route served (metrics labels). */
    mlModel: ModelVersion | null;
    /** Seconds spent inside the model module. */
    mlInferSeconds: number;
    /** The catalogue code of the error answered, if any. */
    mlErrorCode: string | null;
    /**
     * The route pattern, set by a hot-path handler that knows it (the infer routes), so that the
     * answer's report (app.ts) need not read req.routeOptions (an object built per call); null: read it.
     */
    mlRoute: string | null;
  }
}

/**
 * Marks a plugin as not encapsulated (what the fastify-plugin package does): its
 * hooks and decorators then apply to the whole application.
 */
export function global<T extends object>(plugin: T, name: string): T {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}
