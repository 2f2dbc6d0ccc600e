// Per-request loggers that cost nothing until something logs through them.
//
// Every request gets a logger bound to its id (req.log: app.ts's tagAnswer puts it
// there). A pino child would be built eagerly: a new object and its bindings serialized to JSON, ~3 µs of a
// request's CPU time, although most requests log nothing through req.log (their one
// access line is written by app.ts from the parent logger and the id). Here the
// child is a small object holding the parent and the bindings; the pino child is
// made the first time a method is called, and then every call goes to it, so a
// line logged through req.log is exactly what pino's own child would write.

import type { FastifyBaseLogger, FastifyLoggerOptions, FastifyReply, FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions, DestinationStream, LogFn, LoggerOptions } from 'pino';
import { pino } from 'pino';

/** The parts of a pino logger the access line is written with (app.ts). */
export interface PinoParts {
  readonly levelVal: number;
  readonly [key: symbol]: unknown;
}

/** pino's child(): what makes the real child logger. */
type ChildFn = (this: FastifyBaseLogger, bindings: Bindings, options?: ChildLoggerOptions) => FastifyBaseLogger;

export class LazyRequestLogger {
  private made: FastifyBaseLogger | null = null;

  constructor(
    /** The application's logger (pino). */
    readonly parent: FastifyBaseLogger,
    /** `{reqId: <id>}`: what pino's child would be bound to. */
    readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
    /** pino's own child(). */
    private readonly pinoChild: ChildFn = parent.child as ChildFn,
  ) {}

  /** The pino child, made on first use. */
  get logger(): FastifyBaseLogger {
    this.made ??= this.pinoChild.call(this.parent, this.bindings, this.options);
    return this.made;
  }

  get level(): string {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  /** The numeric level in force: the child's once made, else the route's, else the parent's (which a config reload may change). */
  get levelVal(): number {
    if (this.made !== null) return (this.made as unknown as PinoParts).levelVal;
    if (this.options.level !== undefined) return pino.levels.values[this.options.level] ?? (this.parent as unknown as PinoParts).levelVal;
    return (this.parent as unknown as PinoParts).levelVal;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }

  // The log methods are on the prototype (below): one function for every request, no closure each.
  declare fatal: LogFn;
  declare error: LogFn;
  declare warn: LogFn;
  declare info: LogFn;
  declare debug: LogFn;
  declare trace: LogFn;
  declare silent: LogFn;
}

for (const method of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) {
  Object.defineProperty(LazyRequestLogger.prototype, method, {
    value: function log(this: LazyRequestLogger, ...args: unknown[]): void {
      (this.logger[method] as (...a: unknown[]) => void)(...args);
    },
    writable: true,
    configurable: true,
  });
}

/** A request's logger: a lazy child of the server's logger, bound to `bindings` (the request id). */
export function lazyRequestLogger(parent: FastifyBaseLogger, bindings: Bindings): FastifyBaseLogger {
  return new LazyRequestLogger(parent, bindings, {}) as unknown as FastifyBaseLogger;
}

/** What fastify would log of a request, a reply or an error (its own serializers: lib/logger-pino.js). */
const FASTIFY_SERIALIZERS = {
  req: (req: FastifyRequest) => ({
    method: req.method,
    url: req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
  res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
  err: pino.stdSerializers.err,
};

/** The server's pino logger from fastify's `logger` options (level info unless given; `stream`: where lines go, stdout by default). */
export function serverLogger(options: FastifyLoggerOptions & LoggerOptions): FastifyBaseLogger {
  const { stream, file, ...rest } = options as FastifyLoggerOptions & LoggerOptions & { file?: string };
  const settings: LoggerOptions = { ...rest, level: rest.level ?? 'info', serializers: { ...FASTIFY_SERIALIZERS, ...rest.serializers } };
  const destination = stream ?? (file === undefined ? undefined : pino.destination(file));
  return (destination === undefined ? pino(settings) : pino(settings, destination as DestinationStream)) as unknown as FastifyBaseLogger;
}
