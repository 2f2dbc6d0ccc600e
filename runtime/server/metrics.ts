// GET /metrics: Prometheus text. Request counts, latency, time inside the model,
// instances per request and errors, by route, model and version; the models
// loaded; and the process metrics prom-client collects by default.
//
// The per-request series are kept here, not in prom-client: its inc()/observe()
// hash and validate the label set on every call, which cost ~12 µs per request
// (four observations) on the development machine, more than everything else the
// server adds to a bare fastify route. Here a request finds its series with a few
// Map lookups on values it already has (the model object, the route pattern), and
// the text is written only when /metrics is scraped. prom-client still serves the
// process metrics and mlcompile_model_info.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { global } from './context.js';
import type { ModelRepository, ModelVersion } from './models-repository.js';
import { errorResponses, metricsResponse } from './schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Instances (rows) the request scored: the leading dim of an inference request's first input, or the number of predictions. */
    mlInstances: number;
  }
}

/** From 50 µs: a small model answers in well under a millisecond. */
const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Powers of two up to 64 Ki instances. */
const INSTANCE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

/** Instances in an Open Inference Protocol request: its first input's leading dim (1 for a scalar input). */
export function oipInstances(inputs: readonly { readonly shape: readonly number[] }[]): number {
  return inputs.length === 0 ? 0 : inputs[0].shape.length === 0 ? 1 : inputs[0].shape[0];
}

/** Instances in /invocations predictions: one per entry; for whole outputs (`{"inputs": ...}`), the rows of the first. */
export function predictionCount(predictions: unknown): number {
  if (Array.isArray(predictions)) return predictions.length;
  if (typeof predictions === 'object' && predictions !== null) {
    for (const v of Object.values(predictions)) if (Array.isArray(v)) return v.length;
  }
  return 1;
}

class Histogram {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

/** The series of one route for one model version (or for no model). */
interface RouteSeries {
  readonly duration: Histogram;
  /** method → status → requests. */
  readonly requests: Map<string, Map<number, number>>;
  /** `kind status` → errors. */
  readonly errors: Map<string, number>;
}

interface ModelSeries {
  readonly model: string;
  readonly version: string;
  readonly routes: Map<string, RouteSeries>;
  readonly inference: Histogram;
  readonly instances: Histogram;
}

/** Label values in the exposition format: backslash, double quote and line feed escaped. */
function esc(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

function histogramLines(out: string[], name: string, labels: string, h: Histogram): void {
  let cumulative = 0;
  const sep = labels === '' ? '' : ',';
  for (let i = 0; i < h.bounds.length; i++) {
    cumulative += h.counts[i];
    out.push(`${name}_bucket{le="${num(h.bounds[i])}"${sep}${labels}} ${cumulative}`);
  }
  out.push(`${name}_bucket{le="+Inf"${sep}${labels}} ${h.count}`);
  out.push(`${name}_sum${labels === '' ? '' : `{${labels}}`} ${num(h.sum)}`);
  out.push(`${name}_count${labels === '' ? '' : `{${labels}}`} ${h.count}`);
}

export class Metrics {
  /** prom-client: process and Node.js metrics, and mlcompile_model_info. */
  readonly registry = new Registry();
  private readonly models = new Gauge({
    name: 'mlcompile_model_info',
    help: 'Models loaded (value 1), with their format and source sha256',
    labelNames: ['model', 'version', 'format', 'sha256'] as const,
    registers: [this.registry],
  });
  /** Batch rows (POST .../batch, jobs), counted once per window of rows: prom-client's cost does not matter there. */
  private readonly batchScored = new Counter({
    name: 'mlcompile_batch_rows_scored_total',
    help: 'Batch rows scored, by model, version and source (http: POST .../batch; job: batch jobs)',
    labelNames: ['model', 'version', 'source'] as const,
    registers: [this.registry],
  });
  private readonly batchFailed = new Counter({
    name: 'mlcompile_batch_rows_failed_total',
    help: 'Batch rows that could not be read or scored (answered with an error column), by model, version and source',
    labelNames: ['model', 'version', 'source'] as const,
    registers: [this.registry],
  });
  /** Keyed by the ModelVersion object a route resolved (null: no model), in first-seen order. */
  private readonly series = new Map<ModelVersion | null, ModelSeries>();
  /** More series in the text format, written at each scrape (drift and capture: capture-setup.ts). */
  private readonly textSources: (() => string)[] = [];

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Adds series that `source` writes in the text format at each scrape (its cost is paid per scrape, not per request). */
  addTextSource(source: () => string): void {
    this.textSources.push(source);
  }

  /** Publishes the models in `repo` as mlcompile_model_info. */
  setModels(repo: ModelRepository): void {
    this.models.reset();
    for (const m of repo.all()) this.models.set({ model: m.name, version: m.version, format: m.format, sha256: m.sha256 }, 1);
  }

  private modelSeries(m: ModelVersion | null): ModelSeries {
    let s = this.series.get(m);
    if (s === undefined) {
      // A version loaded again (unloaded then loaded, or rebuilt: version-lifecycle.ts) is a new object
      // with the same labels: it continues the old series, or /metrics would repeat a label set.
      s = m === null ? undefined : [...this.series.values()].find((x) => x.model === m.name && x.version === m.version);
      s ??= { model: m === null ? '' : m.name, version: m === null ? '' : m.version, routes: new Map(), inference: new Histogram(BUCKETS), instances: new Histogram(INSTANCE_BUCKETS) };
      this.series.set(m, s);
    }
    return s;
  }

  /** Counts batch rows scored and failed. */
  batchRows(m: ModelVersion, source: 'http' | 'job', scored: number, failed: number): void {
    const labels = { model: m.name, version: m.version, source };
    if (scored > 0) this.batchScored.inc(labels, scored);
    if (failed > 0) this.batchFailed.inc(labels, failed);
  }

  /** Records one answered request (app.ts reports it): its status, the seconds it took, and its route pattern (req.routeOptions.url). */
  observe(req: FastifyRequest, status: number, seconds: number, routeUrl: string | undefined): void {
    const s = this.modelSeries(req.mlModel);
    const route = routeUrl ?? 'unmatched';
    let r = s.routes.get(route);
    if (r === undefined) {
      r = { duration: new Histogram(BUCKETS), requests: new Map(), errors: new Map() };
      s.routes.set(route, r);
    }
    let byStatus = r.requests.get(req.method);
    if (byStatus === undefined) {
      byStatus = new Map();
      r.requests.set(req.method, byStatus);
    }
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    r.duration.observe(seconds);
    if (req.mlModel !== null) {
      if (req.mlInferSeconds > 0) s.inference.observe(req.mlInferSeconds);
      if (req.mlInstances > 0 && status < 400) s.instances.observe(req.mlInstances);
    }
    if (req.mlErrorCode !== null) {
      const key = `${req.mlErrorCode} ${status}`;
      r.errors.set(key, (r.errors.get(key) ?? 0) + 1);
    }
  }

  /** The request series in the Prometheus text format (version 0.0.4). */
  text(): string {
    const all = [...new Set(this.series.values())];
    const out: string[] = [];
    out.push('# HELP mlcompile_http_requests_total HTTP requests answered, by route, method, status, model and version');
    out.push('# TYPE mlcompile_http_requests_total counter');
    for (const s of all) {
      for (const [route, r] of s.routes) {
        for (const [method, byStatus] of r.requests) {
          for (const [status, n] of byStatus) {
            out.push(`mlcompile_http_requests_total{route="${esc(route)}",method="${esc(method)}",status="${status}",model="${esc(s.model)}",version="${esc(s.version)}"} ${n}`);
          }
        }
      }
    }
    out.push('# HELP mlcompile_http_request_duration_seconds Time from receiving a request to sending the response, by route, model and version');
    out.push('# TYPE mlcompile_http_request_duration_seconds histogram');
    for (const s of all) {
      for (const [route, r] of s.routes) histogramLines(out, 'mlcompile_http_request_duration_seconds', `route="${esc(route)}",model="${esc(s.model)}",version="${esc(s.version)}"`, r.duration);
    }
    out.push('# HELP mlcompile_inference_duration_seconds Time spent inside the model module, by model and version');
    out.push('# TYPE mlcompile_inference_duration_seconds histogram');
    for (const s of all) if (s.inference.count > 0) histogramLines(out, 'mlcompile_inference_duration_seconds', `model="${esc(s.model)}",version="${esc(s.version)}"`, s.inference);
    out.push('# HELP mlcompile_instances_per_request Instances (rows) scored per inference request, by model and version');
    out.push('# TYPE mlcompile_instances_per_request histogram');
    for (const s of all) if (s.instances.count > 0) histogramLines(out, 'mlcompile_instances_per_request', `model="${esc(s.model)}",version="${esc(s.version)}"`, s.instances);
    out.push('# HELP mlcompile_errors_total Error responses, by kind (the MLS_ERR_* code), status, route, model and version');
    out.push('# TYPE mlcompile_errors_total counter');
    for (const s of all) {
      for (const [route, r] of s.routes) {
        for (const [key, n] of r.errors) {
          const [kind, status] = key.split(' ');
          out.push(`mlcompile_errors_total{kind="${esc(kind)}",status="${status}",route="${esc(route)}",model="${esc(s.model)}",version="${esc(s.version)}"} ${n}`);
        }
      }
    }
    return out.join('\n') + '\n';
  }

  /** GET /metrics (the application reports answered requests to observe()). */
  plugin() {
    return global(async (app: FastifyInstance): Promise<void> => {
      app.get('/metrics', { schema: { response: { 200: metricsResponse, ...errorResponses } } }, async (_req, reply) => {
        reply.type(this.registry.contentType);
        return this.text() + this.textSources.map((s) => s()).join('') + (await this.registry.metrics());
      });
    }, 'mlcompile-metrics');
  }
}
