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
import { LogBuffer, type DeferredLine } from './log-buffer.js';
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

/** pino's default timestamp function (`,"time":<epoch ms>`): an access line's time is then taken as a number. */
const epochTime = pino.stdTimeFunctions.epochTime;

/**
 * What an access line says, taken when the request is answered and written as text
 * later (AccessLine.toLine), when the log buffer next writes: see LogBuffer.defer.
 */
class AccessLine implements DeferredLine {
  constructor(
    private readonly level: number,
    /** Epoch ms (pino's default time), or the `,"time":...` text a custom time function gave. */
    private readonly time: number | string,
    private readonly chindings: string,
    private readonly id: string,
    private readonly method: string,
    private readonly url: string,
    private readonly status: number,
    private readonly ms: number,
    private readonly model: ModelVersion | null,
    private readonly instances: number,
    private readonly code: string | null,
  ) {}

  toLine(): string {
    const time = typeof this.time === 'number' ? `,"time":${this.time}` : this.time;
    let line = `{"level":${this.level}${time}${this.chindings},"${REQUEST_ID_LOG_LABEL}":"${this.id}","method":"${this.method}","url":${jsonString(this.url)},"status":${this.status},"ms":${formatMs(this.ms)}`;
    if (this.model !== null) line += logFieldsOf(this.model);
    if (this.instances > 0) line += `,"instances":${this.instances}`;
    if (this.code !== null) line += `,"code":${JSON.stringify(this.code)}`;
    return `${line},"msg":"request completed"}\n`;
  }
}

/**
 * Writes the access line of an answered request through `log`, the request's logger.
 * That is a LazyRequestLogger (request-logger.ts) whose pino child is usually never
 * made: the line is written through its parent, with the request id bound as the
 * child's would be. Neither the id nor the method needs escaping: requestId() (app.ts)
 * admits only [A-Za-z0-9._~:@/+=-], and Node's HTTP parser only methods from its fixed
 * list of upper-case tokens. Returns false for any other logger (the caller then logs
 * the usual way).
 *
 * Into the server's LogBuffer the line goes as a record, made into text with the
 * records of other requests in one loop (LogBuffer.defer): made one request at a time,
 * amid the rest of a request's work, the text took ~3 µs of each request in a CPU
 * profile under load, against 0.1-0.4 µs per line made in a loop.
 */
export function writeAccessLine(log: unknown, level: number, req: FastifyRequest, status: number, ms: number): boolean {
  if (!(log instanceof LazyRequestLogger)) return false;
  const base = log.parent as unknown as PinoParts;
  const stream = base[streamSym] as { write(s: string): unknown } | undefined;
  const time = base[timeSym];
  const chindings = base[chindingsSym];
  if (stream === undefined || typeof time !== 'function' || typeof chindings !== 'string') return false;
  const record = new AccessLine(
    level, time === epochTime ? Date.now() : (time as () => string).call(base), chindings,
    req.id, req.method, req.url, status, ms, req.mlModel, req.mlInstances, req.mlErrorCode,
  );
  if (stream instanceof LogBuffer) stream.defer(record);
  else stream.write(record.toLine());
  return true;
}
