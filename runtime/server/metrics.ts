// GET /metrics: Prometheus text from prom-client. Request counts and latency per
// route, model and version; time inside the model; errors by kind; the models
// loaded; and the process metrics prom-client collects by default.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { global } from './context.js';
import type { ModelRepository } from './models-repository.js';
import { errorResponses, metricsResponse } from './schemas.js';

/** From 50 µs: a small model answers in well under a millisecond. */
const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'mlcompile_http_requests_total',
    help: 'HTTP requests answered, by route, method, status, model and version',
    labelNames: ['route', 'method', 'status', 'model', 'version'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'mlcompile_http_request_duration_seconds',
    help: 'Time from receiving a request to sending the response, by route, model and version',
    labelNames: ['route', 'model', 'version'] as const,
    buckets: BUCKETS,
    registers: [this.registry],
  });
  private readonly inference = new Histogram({
    name: 'mlcompile_inference_duration_seconds',
    help: 'Time spent inside the model module, by model and version',
    labelNames: ['model', 'version'] as const,
    buckets: BUCKETS,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'mlcompile_errors_total',
    help: 'Error responses, by kind (the MLS_ERR_* code), status and route',
    labelNames: ['kind', 'status', 'route'] as const,
    registers: [this.registry],
  });
  private readonly models = new Gauge({
    name: 'mlcompile_model_info',
    help: 'Models loaded (value 1), with their format and source sha256',
    labelNames: ['model', 'version', 'format', 'sha256'] as const,
    registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Publishes the models in `repo` as mlcompile_model_info. */
  setModels(repo: ModelRepository): void {
    this.models.reset();
    for (const m of repo.all()) this.models.set({ model: m.name, version: m.version, format: m.format, sha256: m.sha256 }, 1);
  }

  observe(req: FastifyRequest, reply: FastifyReply): void {
    const route = req.routeOptions.url ?? 'unmatched';
    const m = req.mlModel;
    const model = m === null ? '' : m.name;
    const version = m === null ? '' : m.version;
    const status = reply.statusCode;
    this.requests.inc({ route, method: req.method, status, model, version });
    this.duration.observe({ route, model, version }, reply.elapsedTime / 1000);
    if (req.mlInferSeconds > 0 && m !== null) this.inference.observe({ model, version }, req.mlInferSeconds);
    if (req.mlErrorCode !== null) this.errors.inc({ kind: req.mlErrorCode, status, route });
  }

  plugin() {
    return global(async (app: FastifyInstance): Promise<void> => {
      app.addHook('onResponse', (req, reply, done) => {
        this.observe(req, reply);
        done();
      });
      app.get('/metrics', { schema: { response: { 200: metricsResponse, ...errorResponses } } }, async (_req, reply) => {
        reply.type(this.registry.contentType);
        return this.registry.metrics();
      });
    }, 'mlcompile-metrics');
  }
}
