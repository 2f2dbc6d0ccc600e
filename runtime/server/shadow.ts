// Shadow (mirror) traffic: after the primary version has answered a routed request,
// the same input is scored by the model's shadow version, off the request's path
// (a bounded queue drained from setImmediate; a full queue drops, counted). The
// shadow's answer never reaches the client; the pair is compared and recorded:
//   /metrics: mlcompile_shadow_requests_total, _agreement_total, _agreement_ratio,
//             _abs_difference (histogram), _errors_total, _dropped_total,
//             by model, primary and shadow version;
//   GET /v2/models/{name}/shadow?limit=N: the last pairs (up to 100 per model).
//
// Two answers agree when they have the same structure, every string or boolean is
// equal and no two numbers differ by more than the shadow's `tolerance` (default 0).
// The histogram holds, per pair, the largest absolute difference between numbers.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { runInvocation, parseInvocation } from './invocations.js';
import { isRecordModel, type ModelRepository, type ModelVersion } from './models-repository.js';
import { decodeInputs, encodeResponse, requestedOutputs, type InferenceRequest } from './oip-codec.js';
import { runRecordInference, runRecordInvocation } from './records.js';
import type { Router } from './routing.js';
import { shadowResponse } from './routing-openapi.js';
import { errorResponses, modelParams } from './schemas.js';

/** Which route's scoring a mirrored request repeats. */
export type ShadowKind = 'infer' | 'invocations';

/** Requests waiting for their shadow scoring; beyond this they are dropped (counted). */
export const DEFAULT_SHADOW_QUEUE = 1000;
/** Pairs kept per model for GET .../shadow. */
export const DEFAULT_SHADOW_KEEP = 100;
/** Shadow scorings per event-loop turn: requests get the loop back in between. */
const PER_TURN = 16;

/** Absolute differences: exact agreement, float noise, then decades. */
const DIFF_BUCKETS = [0, 1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100];

export interface ShadowPair {
  readonly time: string;
  readonly request_id: string;
  readonly route: ShadowKind;
  readonly primary_version: string;
  readonly shadow_version: string;
  /** Null when the shadow failed. */
  readonly agree: boolean | null;
  /** The largest absolute difference between numbers (null: no numbers compared). */
  readonly max_abs_difference: number | null;
  readonly primary: unknown;
  readonly shadow: unknown;
  readonly error: string | null;
}

interface ShadowJob {
  readonly kind: ShadowKind;
  readonly primary: ModelVersion;
  readonly shadow: ModelVersion;
  readonly tolerance: number;
  readonly body: unknown;
  readonly output: unknown;
  readonly requestId: string;
}

export interface Comparison {
  agree: boolean;
  maxAbsDiff: number | null;
}

function isListLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** Compares two answers (see the file comment); `tolerance` applies to numbers. */
export function compareAnswers(a: unknown, b: unknown, tolerance: number): Comparison {
  const c: Comparison = { agree: true, maxAbsDiff: null };
  walk(a, b, tolerance, c, 0);
  return c;
}

function walk(a: unknown, b: unknown, tolerance: number, c: Comparison, depth: number): void {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) {
    // Two NaNs (missing predictions) agree; NaN against a number is an infinite difference.
    const d = Number.isNaN(x) && Number.isNaN(y) ? 0 : x === y ? 0 : Math.abs(x - y);
    const diff = Number.isNaN(d) ? Infinity : d;
    c.maxAbsDiff = c.maxAbsDiff === null ? diff : Math.max(c.maxAbsDiff, diff);
    if (diff > tolerance) c.agree = false;
    return;
  }
  if (depth > 64) {
    c.agree = false;
    return;
  }
  if (isListLike(a) && isListLike(b)) {
    if (a.length !== b.length) c.agree = false;
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) walk(a[i], b[i], tolerance, c, depth + 1);
    return;
  }
  if (a instanceof Map && b instanceof Map) {
    walk(Object.fromEntries(a), Object.fromEntries(b), tolerance, c, depth + 1);
    return;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !isListLike(a) && !isListLike(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of Object.keys(ra)) {
      if (!(k in rb)) c.agree = false;
      else walk(ra[k], rb[k], tolerance, c, depth + 1);
    }
    for (const k of Object.keys(rb)) if (!(k in ra)) c.agree = false;
    return;
  }
  // null and undefined (a missing value, however a version spells it) agree with each other.
  if (a !== b && !((a === null || a === undefined) && (b === null || b === undefined))) c.agree = false;
}

/** What is compared of an answer: OIP outputs by name (shape and data), /invocations predictions as they are. */
export function comparable(kind: ShadowKind, output: unknown): unknown {
  if (kind !== 'infer') return output;
  const outputs = (output as { outputs?: readonly { name: string; shape: unknown; data: unknown }[] }).outputs ?? [];
  const byName: Record<string, unknown> = {};
  for (const o of outputs) byName[o.name] = { shape: o.shape, data: o.data };
  return byName;
}

/** Scores `body` with `model` as the route of `kind` does; returns what the route compares. */
export function scoreLike(kind: ShadowKind, model: ModelVersion, body: unknown): unknown {
  if (kind === 'infer') {
    const request = body as InferenceRequest;
    if (isRecordModel(model)) return runRecordInference(model, request).response;
    return encodeResponse(model, request, requestedOutputs(model, request.outputs), model.call(decodeInputs(model, request)));
  }
  return isRecordModel(model) ? runRecordInvocation(model, body).predictions : runInvocation(model, parseInvocation(model, body)).predictions;
}

interface PairCounts {
  requests: number;
  agreements: number;
}

export interface ShadowOptions {
  readonly router: Router;
  readonly repository: ModelRepository;
  /** Where the shadow series go (the server's /metrics registry); none: not exported. */
  readonly registry?: Registry;
  readonly queueLimit?: number;
  readonly keep?: number;
}

export class ShadowRecorder {
  private readonly router: Router;
  private readonly repo: ModelRepository;
  private readonly queueLimit: number;
  private readonly keep: number;
  private readonly queue: ShadowJob[] = [];
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly recent = new Map<string, ShadowPair[]>();
  /** `model\0primary\0shadow` → counts, for the agreement ratio. */
  private readonly counts = new Map<string, PairCounts & { labels: { model: string; primary: string; shadow: string } }>();
  private readonly requests: Counter<'model' | 'primary' | 'shadow'>;
  private readonly agreements: Counter<'model' | 'primary' | 'shadow'>;
  private readonly differences: Histogram<'model' | 'primary' | 'shadow'>;
  private readonly errors: Counter<'model' | 'primary' | 'shadow' | 'kind'>;
  private readonly dropped: Counter<'model' | 'primary' | 'shadow'>;

  constructor(opts: ShadowOptions) {
    this.router = opts.router;
    this.repo = opts.repository;
    this.queueLimit = opts.queueLimit ?? DEFAULT_SHADOW_QUEUE;
    this.keep = opts.keep ?? DEFAULT_SHADOW_KEEP;
    const registers = opts.registry === undefined ? [] : [opts.registry];
    const labelNames = ['model', 'primary', 'shadow'] as const;
    this.requests = new Counter({ name: 'mlcompile_shadow_requests_total', help: 'Requests scored by a shadow version beside the primary that answered', labelNames, registers });
    this.agreements = new Counter({ name: 'mlcompile_shadow_agreement_total', help: 'Shadow scorings whose answer agreed with the primary\'s (strings equal, numbers within the tolerance)', labelNames, registers });
    const counts = this.counts;
    new Gauge({
      name: 'mlcompile_shadow_agreement_ratio',
      help: 'Shadow agreements / shadow requests since the server started',
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const c of counts.values()) if (c.requests > 0) this.set(c.labels, c.agreements / c.requests);
      },
    });
    this.differences = new Histogram({ name: 'mlcompile_shadow_abs_difference', help: 'Largest absolute difference between the primary\'s and the shadow\'s numbers, per request', labelNames, buckets: DIFF_BUCKETS, registers });
    this.errors = new Counter({ name: 'mlcompile_shadow_errors_total', help: 'Shadow scorings that failed, by kind (the MLS_ERR_* or MLR_ERR_* code)', labelNames: [...labelNames, 'kind'], registers });
    this.dropped = new Counter({ name: 'mlcompile_shadow_dropped_total', help: 'Requests not mirrored because the shadow queue was full', labelNames, registers });
  }

  /** Requests waiting for their shadow scoring. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Called by a route once its answer is ready: queues the shadow scoring when the
   * request was routed (named no version) and its model has a shadow. `output` is what
   * the route answered (OIP response; /invocations predictions).
   */
  mirror(req: FastifyRequest, kind: ShadowKind, primary: ModelVersion, versionAsked: string | undefined, output: unknown): void {
    if (versionAsked !== undefined) return;
    const s = this.router.routingOf(primary.name)?.shadow;
    if (s === undefined || s === null || s.version === primary.version) return;
    if (s.percent < 100 && !(this.router.draw() < s.percent)) return;
    const labels = { model: primary.name, primary: primary.version, shadow: s.version };
    if (this.queue.length >= this.queueLimit) {
      this.dropped.inc(labels);
      return;
    }
    let shadow: ModelVersion;
    try {
      shadow = this.repo.resolve(primary.name, s.version);
    } catch {
      this.errors.inc({ ...labels, kind: 'MLS_ERR_MODEL_NOT_FOUND' });
      return;
    }
    this.queue.push({ kind, primary, shadow, tolerance: s.tolerance, body: req.body, output, requestId: req.id });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** Resolves once every queued shadow scoring is done (tests, shutdown). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The last `limit` pairs of a model, newest first. */
  pairs(name: string, limit = this.keep): ShadowPair[] {
    const list = this.recent.get(name) ?? [];
    return list.slice(Math.max(0, list.length - limit)).reverse();
  }

  /** Forgets queued work (the server is closing). */
  close(): void {
    this.queue.length = 0;
  }

  private drain(): void {
    this.scheduled = false;
    for (let n = 0; n < PER_TURN && this.queue.length > 0; n++) this.score(this.queue.shift() as ShadowJob);
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.drain());
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private score(job: ShadowJob): void {
    const labels = { model: job.primary.name, primary: job.primary.version, shadow: job.shadow.version };
    const primaryAnswer = comparable(job.kind, job.output);
    let pair: ShadowPair;
    try {
      const shadowAnswer = comparable(job.kind, scoreLike(job.kind, job.shadow, job.body));
      const c = compareAnswers(primaryAnswer, shadowAnswer, job.tolerance);
      this.requests.inc(labels);
      if (c.agree) this.agreements.inc(labels);
      if (c.maxAbsDiff !== null) this.differences.observe(labels, c.maxAbsDiff);
      const key = `${labels.model}\0${labels.primary}\0${labels.shadow}`;
      let counts = this.counts.get(key);
      if (counts === undefined) {
        counts = { requests: 0, agreements: 0, labels };
        this.counts.set(key, counts);
      }
      counts.requests++;
      if (c.agree) counts.agreements++;
      pair = this.pair(job, c.agree, c.maxAbsDiff, primaryAnswer, shadowAnswer, null);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      this.errors.inc({ ...labels, kind: typeof code === 'string' && /^ML[A-Z]_ERR_[A-Z0-9_]+$/.test(code) ? code : 'error' });
      pair = this.pair(job, null, null, primaryAnswer, null, e instanceof Error ? e.message : String(e));
    }
    let list = this.recent.get(job.primary.name);
    if (list === undefined) {
      list = [];
      this.recent.set(job.primary.name, list);
    }
    list.push(pair);
    if (list.length > this.keep) list.shift();
  }

  private pair(job: ShadowJob, agree: boolean | null, diff: number | null, primary: unknown, shadow: unknown, error: string | null): ShadowPair {
    return {
      time: new Date().toISOString(),
      request_id: job.requestId,
      route: job.kind,
      primary_version: job.primary.version,
      shadow_version: job.shadow.version,
      agree,
      // JSON has no Infinity: a NaN against a number is reported as null with agree false.
      max_abs_difference: diff !== null && Number.isFinite(diff) ? diff : null,
      primary,
      shadow,
      error,
    };
  }

  /** GET /v2/models/{name}/shadow?limit=N: the model's shadow settings and last pairs. */
  plugin() {
    return async (app: FastifyInstance): Promise<void> => {
      app.get<{ Params: { model_name: string }; Querystring: { limit?: string } }>('/v2/models/:model_name/shadow', {
        schema: {
          params: modelParams,
          // Query values are strings (the app does not coerce types).
          querystring: { type: 'object', properties: { limit: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' } }, additionalProperties: false },
          response: { 200: shadowResponse, ...errorResponses },
        },
      }, (req) => {
        const name = req.params.model_name;
        req.mlModel = this.repo.resolve(name);
        const s = this.router.routingOf(name)?.shadow ?? null;
        return { model: name, shadow: s, pending: this.queue.length, pairs: this.pairs(name, req.query.limit === undefined ? this.keep : Number(req.query.limit)) };
      });
    };
  }
}
