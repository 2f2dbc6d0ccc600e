// The fastify application: one plugin per concern (health, Open Inference
// Protocol, SageMaker/MLflow, metrics, the OpenAPI document), one error handler
// that answers every failure as JSON from the coded catalogue (errors.ts).

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_LOG_LABEL, writeAccessLine } from './access-line.js';
import { AnsweredResponse, watchAnswer } from './answered-response.js';
import { clientErrorHandler } from './client-errors.js';
import { configReloadPlugin, type ConfigReloader } from './config-reload.js';
import { DEFAULT_BODY_LIMIT, DEFAULT_REQUEST_TIMEOUT_MS } from './config.js';
import { batchPlugin } from './batch-routes.js';
import { installObservationHook } from './capture-hook.js';
import type { Observation } from './capture-setup.js';
import type { AppContext, ServerState } from './context.js';
import { docsUiPlugin } from './docs-ui.js';
import { ServerError, classifyError } from './errors.js';
import { cachingPlugin } from './etag.js';
import { healthPlugin } from './health.js';
import { JobManager, type JobSettings } from './jobs.js';
import { jobsPlugin } from './jobs-routes.js';
import { linksPlugin } from './links.js';
import { Metrics } from './metrics.js';
import { modelHeadersPlugin } from './model-headers.js';
import type { ModelRepository } from './models-repository.js';
import { moduleDownloadPlugin } from './module-download.js';
import { oipPlugin } from './oip-routes.js';
import { openapiPlugin } from './openapi-route.js';
import type { EnvironmentSettings } from './profile.js';
import { accessControlPlugin, hasAccessControls, type AccessControls } from './profile-hooks.js';
import { repositoryPlugin } from './repository-routes.js';
import { prependHook } from './route-hooks.js';
import { lazyRequestLogger, serverLogger, type PinoParts } from './request-logger.js';
import type { RoutingTable } from './routing-config.js';
import { Router } from './routing.js';
import { sagemakerPlugin } from './sagemaker-routes.js';
import { ShadowRecorder } from './shadow.js';
import { ModelLifecycle } from './version-lifecycle.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'handler': the route's handler sets X-Request-Id itself, so it gets no request-id hook (see buildApp). */
    requestId?: 'handler';
  }
}

declare const __MLCOMPILE_VERSION__: string | undefined;

/** The compiler version the bundle was built by (esbuild `define`); "0.0.0-dev" when run from source. */
export const SERVER_VERSION = typeof __MLCOMPILE_VERSION__ === 'string' ? __MLCOMPILE_VERSION__ : '0.0.0-dev';

/** An X-Request-Id the server adopts: 1-128 characters that are safe in a header, a log and a URL (UUIDs, trace ids, base64). */
const REQUEST_ID = /^[A-Za-z0-9._~:@/+=-]{1,128}$/;

/** Generated ids: 64 random bits per process, then a counter (a UUID per request cost ~1% of the CPU time). */
const ID_PREFIX = randomBytes(8).toString('hex');
let idCounter = 0;

/** The client's X-Request-Id when it is well formed, else a new id unique to this process and, by its random prefix, across processes. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && REQUEST_ID.test(given)) return given;
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${ID_PREFIX}-${idCounter.toString(36)}`;
}

/** Routes that probes and scrapers poll: their access log lines are at debug level, not info. */
const QUIET_ROUTES = new Set(['/v2/health/live', '/v2/health/ready', '/ping', '/metrics']);

/**
 * Once a request is answered (answered-response.ts): its metrics, and one access log
 * line (`logging`), without bodies or error messages (which may quote the body): the
 * error code says what went wrong, the request id finds the client.
 */
function answered(req: FastifyRequest, res: ServerResponse, elapsedMs: number, metrics: Metrics | null, logging: boolean): void {
  const route = req.mlRoute ?? req.routeOptions.url;
  const status = res.statusCode;
  if (metrics !== null) metrics.observe(req, status, elapsedMs / 1000, route);
  if (!logging) return;
  const level = route !== undefined && QUIET_ROUTES.has(route) ? 20 : 30;
  const log = req.log as unknown as PinoParts;
  const threshold = log.levelVal;
  if (typeof threshold === 'number' && threshold > level) return;
  if (writeAccessLine(log, level, req, status, elapsedMs)) return;
  const ms = Math.round(elapsedMs * 1000) / 1000;
  const m = req.mlModel;
  const line = {
    method: req.method, url: req.url, status, ms, model: m?.name, version: m?.version,
    instances: req.mlInstances > 0 ? req.mlInstances : undefined, code: req.mlErrorCode ?? undefined,
  };
  if (level === 20) req.log.debug(line, 'request completed');
  else req.log.info(line, 'request completed');
}

/** Bodies declared up to this size (or 4 × the limit) are drained after a 413, not cut off. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

export interface AppOptions {
  readonly repository: ModelRepository;
  /** Largest request body in bytes (default 5 MB). */
  readonly bodyLimit?: number;
  readonly logger?: FastifyServerOptions['logger'];
  readonly state?: ServerState;
  /** The metrics registry to use (a fresh one by default); false for none. */
  readonly metrics?: Metrics | false;
  /** OpenAPI document text to serve at GET /openapi.json instead of the one built from the loaded models. */
  readonly openapi?: string;
  /** The model repository directory, whose module files GET .../module.mjs serves (none: those routes answer 404). */
  readonly modelsDir?: string;
  /** The docs UI's files (DIR/docs-ui/); without them /docs answers plain links. */
  readonly docsUiDir?: string;
  /** POST .../batch body limit (default 1 GiB) and batch jobs' data directory (none: jobs answer 503), concurrency... */
  readonly batch?: JobSettings & { readonly bodyLimit?: number };
  /** Time a client has to send a whole request, in ms (default 120 s); a stalled client then gets 408. */
  readonly requestTimeout?: number;
  /** The environment's auth, rate limit and CORS (profile.ts); none: no hooks added. `onAccessControls` gets the reload handle. */
  readonly environment?: EnvironmentSettings;
  readonly onAccessControls?: (controls: AccessControls) => void;
  /** Routing between versions in force at the start (routing-config.ts; checked against the repository). */
  readonly routing?: RoutingTable;
  /** Seed of the routing PRNG (default: random per process). */
  readonly routingSeed?: number;
  /** Configuration reloads: the routing follows them, and POST /v2/repository/config/reload triggers one. */
  readonly configReloader?: ConfigReloader;
  /** Data capture and drift monitoring (capture-setup.ts); none: no hook added. */
  readonly observation?: Observation;
}

export interface App {
  readonly app: FastifyInstance;
  readonly context: AppContext;
  readonly metrics: Metrics | null;
  /** Loads and unloads versions while serving (the watcher, SIGHUP, /v2/repository); null without a modelsDir. */
  readonly lifecycle: ModelLifecycle | null;
}

export function buildApp(opts: AppOptions): App {
  const requestTimeout = opts.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const metrics = opts.metrics === false ? null : opts.metrics ?? new Metrics();
  // The server's pino logger. fastify itself runs without one, which spares every request
  // its response listeners (answered-response.ts) and its child logger with the check of it
  // (a custom childLoggerFactory's children are checked, seven lookups per request); the
  // request loggers (req.log, reply.log) are children of this one, bound to the request id
  // and made lazily (request-logger.ts), put in place by tagAnswer (below).
  const logger: FastifyBaseLogger | null = opts.logger === undefined || opts.logger === false ? null : serverLogger(opts.logger === true ? {} : opts.logger);
  const logging = logger !== null;
  const app = Fastify({
    // Errors fastify meets before routing (a URL that does not decode): answered like every other error (below).
    frameworkErrors: (error, req, reply) => answerError(error, withDecorations(req), reply),
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    logger: false,
    // fastify's two lines per request are replaced by one access line (answered() above).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: REQUEST_ID_LOG_LABEL }),
    // Every log line of a request carries its id (reqId): the client's X-Request-Id if valid, else a generated one.
    requestIdHeader: false,
    genReqId: requestId,
    routerOptions: { ignoreTrailingSlash: true },
    // A slow or stalled client cannot hold a connection forever: it gets 408 once the
    // request is not in within requestTimeout. Node checks for that every
    // connectionsCheckingInterval (30 s by default: far too coarse for short timeouts).
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.round(requestTimeout / 4))),
      // Responses that report their own end: no listeners per request (answered-response.ts).
      ServerResponse: AnsweredResponse,
    },
    clientErrorHandler: clientErrorHandler(requestTimeout),
    // Request schemas are checked strictly: a string where a number belongs is an error, not coerced.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, allowUnionTypes: true } },
  });
  // Until tagAnswer runs, a request's logger is fastify's no-op one (what app.log is now).
  const noLogger = app.log;
  if (logger !== null) app.log = logger;
  // Every answer carries X-Request-Id, and is reported once sent: its metrics and access line.
  const observing = logging || metrics !== null;
  const report = (req: FastifyRequest, res: ServerResponse, ms: number): void => answered(req, res, ms, metrics, logging);
  const tagAnswer = (req: FastifyRequest, reply: FastifyReply): void => {
    reply.header('x-request-id', req.id);
    if (logger !== null && req.log === noLogger) {
      const log = lazyRequestLogger(logger, { [REQUEST_ID_LOG_LABEL]: req.id });
      req.log = log;
      reply.log = log;
    }
    if (observing) watchAnswer(req, reply, report);
  };
  const router = new Router(opts.repository, opts.routingSeed);
  if (metrics !== null) router.exportMetrics(metrics.registry);
  if (opts.routing !== undefined) router.setRouting(opts.routing);
  const context: AppContext = {
    repository: opts.repository,
    state: opts.state ?? { ready: true },
    serverName: 'mlcompile',
    serverVersion: SERVER_VERSION,
    router,
    tagAnswer,
    shadow: new ShadowRecorder({ router, repository: opts.repository, registry: metrics?.registry }),
  };

  const decorations = { mlModel: null, mlInferSeconds: 0, mlErrorCode: null, mlInstances: 0, mlRoute: null } as const;
  for (const [name, value] of Object.entries(decorations)) app.decorateRequest(name, value);
  /** The request of an error fastify meets before routing is made without the application's decorations. */
  function withDecorations(req: FastifyRequest): FastifyRequest {
    if ((req as { mlModel?: unknown }).mlModel === undefined) Object.assign(req, decorations);
    return req;
  }

  // CSV for /invocations; other routes then reject the text through their body schema.
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  // A body declared larger than the limit is answered at once with 413, and what the
  // client is still sending is read and discarded rather than cut off: clients that
  // write the whole body before reading (fetch, Python requests) then see the 413
  // instead of a broken pipe. Beyond DRAIN_LIMIT the connection is closed instead.
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const drainLimit = Math.max(4 * bodyLimit, DRAIN_LIMIT);
  // A route may have its own limit (POST .../batch: MLCOMPILE_BATCH_BODY_LIMIT). Bodies within
  // the smallest limit of any route need no look at the route's (req.routeOptions builds an
  // object per call).
  let smallestLimit = bodyLimit;
  app.addHook('onRoute', (route) => {
    if (route.bodyLimit !== undefined) smallestLimit = Math.min(smallestLimit, route.bodyLimit);
  });
  /** The 413 of a body declared larger than the route's limit, after arranging for the rest of it to be drained (or the connection closed); undefined when within. */
  function declaredTooLarge(req: FastifyRequest, reply: FastifyReply): ServerError | undefined {
    const declared = req.headers['content-length'];
    if (declared === undefined || !(Number(declared) > smallestLimit)) return undefined;
    const limit = req.routeOptions.bodyLimit ?? bodyLimit;
    if (!(Number(declared) > limit)) return undefined;
    if (Number(declared) <= drainLimit) {
      req.raw.resume();
      // fastify's body parser, refusing it, asked for the connection to close: drained, it can stay open.
      reply.removeHeader('connection');
    } else reply.header('connection', 'close');
    const setting = limit === bodyLimit ? 'MLCOMPILE_BODY_LIMIT' : 'MLCOMPILE_BATCH_BODY_LIMIT';
    return new ServerError('MLS_ERR_BODY_TOO_LARGE', `the request body (${declared} bytes) is larger than the server accepts (${limit} bytes, ${setting})`);
  }

  // Every answer carries X-Request-Id, and an oversize body is refused before it is read.
  // A hook per request, except on the routes whose handler sets the header itself
  // (`config: { requestId: 'handler' }`: the infer routes, the hot path): their bodies are
  // parsed by fastify's JSON parser, which refuses a body declared over the limit before
  // reading it, and the error handler (below) then answers the same 413. Errors and 404s get
  // the header from their handlers. Where other application-wide onRequest hooks run (the
  // access controls: CORS answers preflights itself), this one stays application-wide and
  // first, so that their answers carry the id too.
  const requestIdHook = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    tagAnswer(req, reply);
    done(declaredTooLarge(req, reply));
  };
  if (opts.environment !== undefined && hasAccessControls(opts.environment)) app.addHook('onRequest', requestIdHook);
  else {
    app.addHook('onRoute', (route) => {
      if (route.config?.requestId !== 'handler') route.onRequest = prependHook(route.onRequest, requestIdHook);
    });
  }

  function answerError(error: unknown, req: FastifyRequest, reply: FastifyReply): void {
    tagAnswer(req, reply);
    // fastify's own check of a declared length (routes without the hook above): the same 413 and drain as the hook's.
    const e = classifyError((error as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? declaredTooLarge(req, reply) ?? error : error);
    req.mlErrorCode = e.code;
    if (e.status >= 500) req.log.error({ err: error }, e.message);
    reply.code(e.status).type('application/json; charset=utf-8').send({ error: e.message, code: e.code });
  }
  app.setErrorHandler(answerError);
  app.setNotFoundHandler((req, reply) => {
    tagAnswer(req, reply);
    req.mlErrorCode = 'MLS_ERR_NOT_FOUND';
    reply.code(404).type('application/json; charset=utf-8').send({ error: `no route ${req.method} ${req.url.split('?')[0]}`, code: 'MLS_ERR_NOT_FOUND' });
  });

  // Both before any route: their hooks apply to every route registered after them.
  app.register(cachingPlugin());
  app.register(linksPlugin(context));
  // X-Model-Name/-Version/-Sha256 on answers a model gave (model-headers.ts).
  app.register(modelHeadersPlugin());
  // CORS, rate limit, bearer-token auth: before the routes; registered only when one is on.
  if (opts.environment !== undefined && hasAccessControls(opts.environment)) app.register(accessControlPlugin(opts.environment, opts.onAccessControls));
  if (metrics !== null) {
    metrics.setModels(opts.repository);
    // Observed by answered() above.
    app.register(metrics.plugin());
  }
  // Data capture and drift monitoring: one preSerialization hook (capture-hook.ts), only when either is on.
  if (opts.observation !== undefined) {
    const observation = opts.observation;
    installObservationHook(app, observation);
    metrics?.addTextSource(observation.text);
    app.addHook('onClose', async () => observation.close());
  }
  app.register(healthPlugin(context));
  app.register(oipPlugin(context));
  app.register(sagemakerPlugin(context));
  app.register(openapiPlugin(context, opts.openapi));
  app.register(moduleDownloadPlugin(context, opts.modelsDir));
  app.register(docsUiPlugin(context, opts.docsUiDir));
  app.register(batchPlugin(context, { bodyLimit: opts.batch?.bodyLimit, metrics }));
  app.register(jobsPlugin(context, new JobManager({ ...opts.batch, metrics })));
  app.register(context.shadow.plugin());
  if (opts.configReloader !== undefined) {
    const stopFollowing = opts.configReloader.onConfigReload((sections) => router.prepare(sections.routing, app.log));
    app.register(configReloadPlugin(opts.configReloader));
    app.addHook('onClose', async () => stopFollowing());
  }
  app.addHook('onClose', async () => context.shadow.close());
  // The model repository API (repository-routes.ts), over the directory the models come from.
  const lifecycle = opts.modelsDir === undefined ? null : new ModelLifecycle(opts.repository, opts.modelsDir, {
    info: (msg) => app.log.info(msg), warn: (msg) => app.log.warn(msg), error: (msg) => app.log.error(msg),
  }, () => metrics?.setModels(opts.repository));
  if (lifecycle !== null) {
    app.register(repositoryPlugin(lifecycle));
    // A version the routing names may be unloaded (or loaded again): routing.ts, recheck().
    lifecycle.onVersionsChanged(() => {
      router.recheck({ info: (obj, msg) => app.log.info(obj, msg), warn: (msg) => app.log.warn(msg) });
    });
  }
  return { app, context, metrics, lifecycle };
}
