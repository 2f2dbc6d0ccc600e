// Hooks added to single routes as they are registered (from an onRoute hook), rather
// than to the whole application: a route that does not need one pays nothing for it.

/**
 * A route's own hooks of one kind (none, one or a list), with `hook` first: where an
 * application-wide hook would run. fastify appends its own HEAD handling to a HEAD
 * route's onSend hooks (it drops the body), and ours must see the body before that.
 */
export function prependHook<T>(existing: T | T[] | undefined, hook: T): T[] {
  return existing === undefined ? [hook] : [hook, ...(Array.isArray(existing) ? existing : [existing])];
}
