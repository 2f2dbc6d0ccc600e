// The access line of a request: one JSON log line, written once the answer is sent.
//
// It is what pino would write for `req.log.info({method, url, ...}, msg)` (level, time,
// the logger's bindings: pid, hostname, reqId; then the fields), but built here from
// strings: pino's generic object serializer cost ~5% of a request's CPU time. Number to
// string conversions of non-integers are the costly part of what is left (~0.3-0.5 µs
// each: the shortest round-trip digits), so the two numbers that are not integers are
// written without one: the time is pino's `,"time":<ms>` cached for the millisecond, and
// the duration is written from whole microseconds.

import type { FastifyRequest } from 'fastify';
import { pino } from 'pino';
import type { ModelVersion } from './models-repository.js';
import { LazyRequestLogger, type PinoParts } from './request-logger.js';

const { streamSym, chindingsSym, timeSym } = pino.symbols;

/** The field that carries the request id in every log line of a request (fastify's requestIdLogLabel). */
export const REQUEST_ID_LOG_LABEL = 'reqId';

/** `,"model":...,"version":...` of the access line, built once per model version. */
const modelLogFields = new WeakMap<ModelVersion, string>();

function logFieldsOf(m: ModelVersion): string {
  let fields = modelLogFields.get(m);
  if (fields === undefined) {
    fields = `,"model":${JSON.stringify(m.name)},"version":${JSON.stringify(m.version)}`;
    modelLogFields.set(m, fields);
  }
  return fields;
}

/** `.001` … `.999` with trailing zeros dropped (`.41`, `.5`), and '' for 0: the fraction of a duration in ms. */
const MS_FRACTIONS = Array.from({ length: 1000 }, (_, i) => (i === 0 ? '' : `.${String(i).padStart(3, '0').replace(/0+$/, '')}`));

/**
 * A duration in ms rounded to the microsecond, as JSON: the same text as
 * `String(Math.round(ms * 1000) / 1000)` (the shortest digits of k/1000 are those of the
 * decimal k/1000 itself), from two integers and a table instead of a float-to-string.
 */
export function formatMs(ms: number): string {
  const us = Math.round(ms * 1000);
  // Outside the integers a double holds exactly (and for NaN), the generic way.
  if (!(us >= 0 && us <= Number.MAX_SAFE_INTEGER)) return String(Math.round(ms * 1000) / 1000);
  const whole = Math.floor(us / 1000);
  return `${whole}${MS_FRACTIONS[us - whole * 1000]}`;
}

/**
 * A string as JSON: quoted as is when no character needs escaping (a URL's usual case:
 * printable ASCII without `"` or `\`), else JSON.stringify. A loop over a short URL is a
 * fraction of JSON.stringify's cost.
 */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/** pino's default timestamp function (`,"time":<epoch ms>`), whose text is cached here for the millisecond. */
const epochTime = pino.stdTimeFunctions.epochTime;
let cachedMs = -1;
let cachedTime = '';

function timeField(base: PinoParts, time: () => string): string {
  if (time !== epochTime) return time.call(base);
  const now = Date.now();
  if (now !== cachedMs) {
    cachedMs = now;
    cachedTime = `,"time":${now}`;
  }
  return cachedTime;
}

/**
 * Writes the access line of an answered request through `log`, the request's logger.
 * That is a LazyRequestLogger (request-logger.ts) whose pino child is usually never
 * made: the line is written through its parent, with the request id bound as the
 * child's would be. Neither the id nor the method needs escaping: requestId() (app.ts)
 * admits only [A-Za-z0-9._~:@/+=-], and Node's HTTP parser only methods from its fixed
 * list of upper-case tokens. Returns false for any other logger (the caller then logs
 * the usual way).
 */
export function writeAccessLine(log: unknown, level: number, req: FastifyRequest, status: number, ms: number): boolean {
  if (!(log instanceof LazyRequestLogger)) return false;
  const base = log.parent as unknown as PinoParts;
  const stream = base[streamSym] as { write(s: string): unknown } | undefined;
  const time = base[timeSym];
  const chindings = base[chindingsSym];
  if (stream === undefined || typeof time !== 'function' || typeof chindings !== 'string') return false;
  const m = req.mlModel;
  let line = `{"level":${level}${timeField(base, time as () => string)}${chindings},"${REQUEST_ID_LOG_LABEL}":"${req.id}","method":"${req.method}","url":${jsonString(req.url)},"status":${status},"ms":${formatMs(ms)}`;
  if (m !== null) line += logFieldsOf(m);
  if (req.mlInstances > 0) line += `,"instances":${req.mlInstances}`;
  if (req.mlErrorCode !== null) line += `,"code":${JSON.stringify(req.mlErrorCode)}`;
  stream.write(`${line},"msg":"request completed"}\n`);
  return true;
}
