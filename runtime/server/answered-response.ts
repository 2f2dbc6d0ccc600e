// Knowing when a request has been answered (its metrics and its access line) without
// a listener per request.
//
// fastify learns that a response is done from a 'finish' and an 'error' listener it
// adds to every response, and removes, whenever the application has a logger or an
// onResponse hook: ~2.5 µs of each request's CPU time under load (Node's own
// 'finish' listener is already there, so each add and remove reshapes a listener
// array). The server instead makes its responses from AnsweredResponse (Node's
// `ServerResponse` option), whose end() reports the answer: fastify then runs without
// a logger of its own (app.ts gives it the server's pino as the request loggers'
// parent, through childLoggerFactory) and without onResponse hooks.
//
// A request is reported once something has asked for it (watchAnswer): the request-id
// hook, the infer handlers, the error and not-found handlers (app.ts). A response the
// server did not make (fastify's inject() makes light-my-request's) is reported from
// its 'finish' event instead.

import { ServerResponse, type IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What is told of an answered request: the request, the response (its status), and the time taken in ms. */
export type AnswerReport = (req: FastifyRequest, res: ServerResponse, ms: number) => void;

export class AnsweredResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  /** When Node made the response: the request's headers had just been read. */
  readonly startedAt = performance.now();
  private request: FastifyRequest | null = null;
  private report: AnswerReport | null = null;

  /** Has `report` called when the answer is ended; the first watcher of a response is the one kept. */
  watch(req: FastifyRequest, report: AnswerReport): void {
    if (this.request !== null) return;
    this.request = req;
    this.report = report;
  }

  // end() is where the whole answer has been handed to Node: the status and headers are final.
  // (Node's 'finish' follows once the bytes are with the kernel; for the answers of a model
  // server the two are microseconds apart, and a streamed answer ends when its last chunk is in.)
  override end(...args: unknown[]): this {
    (ServerResponse.prototype.end as (...a: unknown[]) => unknown).apply(this, args);
    const report = this.report;
    if (report !== null) {
      this.report = null;
      report(this.request as FastifyRequest, this, performance.now() - this.startedAt);
    }
    return this;
  }
}

/** Responses made elsewhere (inject) that already have a 'finish' listener from watchAnswer. */
const watchedElsewhere = new WeakSet<ServerResponse>();

/** Has `report` called once `reply`'s answer is sent (once per request, however often it is asked). */
export function watchAnswer(req: FastifyRequest, reply: FastifyReply, report: AnswerReport): void {
  const res = reply.raw;
  if (res instanceof AnsweredResponse) {
    res.watch(req, report);
    return;
  }
  if (watchedElsewhere.has(res)) return;
  watchedElsewhere.add(res);
  // The time taken is counted from here: such responses come from tests, not from clients.
  const start = performance.now();
  res.once('finish', () => report(req, res, performance.now() - start));
}
