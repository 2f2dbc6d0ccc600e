// The one request hook data capture (capture.ts) and drift monitoring (drift*.ts)
// share: fastify's preSerialization, which sees an answered inference request's
// parsed body and its response object before it is written. It is installed only
// when one of them is on at startup (a sampling rate above 0 somewhere, or a
// baseline.json in some version directory): with both off, no hook runs at all.
//
// Only successful inference answers count: POST .../infer and POST /invocations,
// whose answer the hook sees as an object also when it is sent as CSV (Accept:
// text/csv; captured as its JSON form {"predictions": [...]}). Batch scoring (POST
// .../batch, .../jobs, `server.mjs batch`) is neither captured nor monitored: it reads
// files the user already has, of any size, which a per-request record cannot hold.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CaptureService } from './capture.js';
import { observeInvocationRequest, observeInvocationResponse, observeOipRequest, observeOipResponse } from './drift-inputs.js';
import type { DriftRegistry } from './drift-registry.js';

export interface ObservationOptions {
  readonly capture?: CaptureService;
  readonly drift?: DriftRegistry;
  /** Where a failure of monitoring itself is reported (it never fails the request). */
  readonly warn?: (message: string) => void;
}

const INFER_SUFFIX = '/infer';
const INVOCATIONS = '/invocations';

/** Installs the hook on the root instance (before routes are registered); no-op when neither feature is given. */
export function installObservationHook(app: FastifyInstance, opts: ObservationOptions): void {
  const { capture, drift } = opts;
  if (capture === undefined && drift === undefined) return;
  let warned = false;
  app.addHook('preSerialization', (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
    const model = req.mlModel;
    if (model === null || reply.statusCode >= 400 || req.mlErrorCode !== null) {
      done(null, payload);
      return;
    }
    const route = req.routeOptions.url ?? '';
    const oip = route.endsWith(INFER_SUFFIX);
    if (!oip && route !== INVOCATIONS) {
      done(null, payload);
      return;
    }
    if (capture !== undefined && capture.sample(model.name)) {
      const declared = Number(req.headers['content-length']);
      capture.enqueue(model.name, model.version, req.id, route, req.body, payload, Number.isFinite(declared) ? declared : 0);
    }
    const mon = drift?.monitorFor(model) ?? null;
    if (mon !== null) {
      try {
        if (oip) {
          observeOipRequest(mon, req.body);
          observeOipResponse(mon, model, payload);
        } else {
          observeInvocationRequest(mon, model, req.body);
          observeInvocationResponse(mon, model, payload);
        }
      } catch (e) {
        // Monitoring must never turn an answer into an error.
        if (!warned) {
          warned = true;
          opts.warn?.(`drift monitoring of ${model.name}/${model.version} failed on a request: ${(e as Error).message}`);
        }
      }
    }
    done(null, payload);
  });
}
