// Per-request loggers that cost nothing until something logs through them.
//
// fastify gives every request a child logger bound to its id (req.log). pino builds
// that child eagerly: a new object and its bindings serialized to JSON, ~3 µs of a
// request's CPU time, although most requests log nothing through req.log (their one
// access line is written by app.ts from the parent logger and the id). Here the
// child is a small object holding the parent and the bindings; the pino child is
// made the first time a method is called, and then every call goes to it, so a
// line logged through req.log is exactly what pino's own child would write.

import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';
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
    /** pino's own child() (the parent's may be makeChildrenLazy's). */
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

/** A childLoggerFactory making a lazy child per request (for a fastify that does not use makeChildrenLazy). */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}

/**
 * Makes `logger.child()` return a LazyRequestLogger, and so that of every pino child
 * made from it (pino's children inherit from their parent). fastify's default
 * childLoggerFactory calls it for every request: a custom childLoggerFactory doing the
 * same (lazyChildLogger) costs more, as fastify then checks every logger it returns
 * (seven method lookups, two arrays and a closure per request, ~1 µs under load).
 */
export function makeChildrenLazy(logger: FastifyBaseLogger): void {
  const pinoChild = logger.child as ChildFn;
  Object.defineProperty(logger, 'child', {
    value: function child(this: FastifyBaseLogger, bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
      return new LazyRequestLogger(this, bindings, options ?? {}, pinoChild) as unknown as FastifyBaseLogger;
    },
    writable: true,
    configurable: true,
  });
}
