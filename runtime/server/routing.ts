// Routing between a model's versions: which version serves a request that names none.
// A request naming a version goes to that version. Every model response carries
// X-Routed-Version, the version that answered.
//
// The draw is a number u in [0, 100): from a seeded PRNG (mulberry32: a multiply and
// a few shifts per draw), or, for sticky routing, from FNV-1a of the key's UTF-8
// bytes (so a key lands on the same version across requests, restarts and replicas
// as long as the configuration is the same). The arm with the first upTo > u serves.
//
// Cost: a model without routing costs one Map lookup (on an empty Map when the file
// has no routing section) and the header.
//
// Versions come and go under a routing that was checked when it was put in force
// (version-lifecycle.ts: the watcher, SIGHUP, the repository API). recheck() runs after
// every such change: a routed or shadow version that is no longer loaded is logged once
// (a warning) and its share of the traffic goes to the latest version, each such request
// counted in mlcompile_routing_fallback_total{model,version}; the shadow is skipped
// (mlcompile_shadow_errors_total). When the version is loaded again, its share returns
// (one info line). A configuration reload naming a version that is not loaded is refused.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { ConfigError } from './config.js';
import type { ModelRepository, ModelVersion } from './models-repository.js';
import { EMPTY_ROUTING, describeRouting, routingFromSection, type ModelRouting, type RoutingTable, type StickySource } from './routing-config.js';

export const ROUTED_VERSION_HEADER = 'x-routed-version';

import { mulberry32 } from '../prng.js';

export { mulberry32 };

/**
 * MLCOMPILE_ROUTING_SEED: a fixed seed for the routing draws (weighted splits, canaries and
 * shadow percentages of requests without a sticky key), so that a test or a replay sees the
 * same sequence of versions on every run. Undefined when unset: a random seed per process.
 */
export function readRoutingSeed(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = (env.MLCOMPILE_ROUTING_SEED ?? '').trim();
  if (text === '') return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !(n <= 0xffffffff)) throw new ConfigError(`MLCOMPILE_ROUTING_SEED=${JSON.stringify(text)}: give a whole number from 0 to 4294967295`);
  return n;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32 bits) of the string's UTF-8 bytes: the same number in every process and replica. */
export function fnv1a(text: string): number {
  let h = FNV_OFFSET;
  const bytes = /^[\x00-\x7f]*$/.test(text) ? null : Buffer.from(text, 'utf8');
  if (bytes === null) {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  } else {
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  }
  return h >>> 0;
}

/** A sticky key's draw in [0, 100): one of 10,000 buckets, so canaries can be set to 0.01 %. */
export function stickyDraw(key: string): number {
  return (fnv1a(key) % 10000) / 100;
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** The first element of a value that may be nested lists ([[7]] → 7). */
function firstScalar(v: unknown): string | undefined {
  let x = v;
  for (let depth = 0; Array.isArray(x) && depth < 8; depth++) x = x[0];
  return scalarText(x);
}

/**
 * The sticky key named `key` in a request body, looked for where each protocol puts a
 * value: OIP `parameters.<key>` or the input named `key`; /invocations `instances[0]`,
 * `dataframe_records[0]`, `dataframe_split` (column `key`) or `inputs.<key>`; else the
 * query string. Undefined when absent (the request is then routed at random).
 */
export function stickyKeyFromBody(body: unknown, query: unknown, key: string): string | undefined {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const params = b.parameters;
    if (typeof params === 'object' && params !== null) {
      const p = scalarText((params as Record<string, unknown>)[key]);
      if (p !== undefined) return p;
    }
    if (Array.isArray(b.inputs)) {
      for (const input of b.inputs as unknown[]) {
        if (typeof input === 'object' && input !== null && (input as { name?: unknown }).name === key) return firstScalar((input as { data?: unknown }).data);
      }
    } else if (typeof b.inputs === 'object' && b.inputs !== null) {
      const v = firstScalar((b.inputs as Record<string, unknown>)[key]);
      if (v !== undefined) return v;
    }
    for (const rows of [b.instances, b.dataframe_records]) {
      if (Array.isArray(rows) && typeof rows[0] === 'object' && rows[0] !== null) {
        const v = firstScalar((rows[0] as Record<string, unknown>)[key]);
        if (v !== undefined) return v;
      }
    }
    const split = b.dataframe_split as { columns?: unknown; data?: unknown } | undefined;
    if (typeof split === 'object' && split !== null && Array.isArray(split.columns) && Array.isArray(split.data)) {
      const col = split.columns.indexOf(key);
      const row: unknown = split.data[0];
      if (col >= 0 && Array.isArray(row)) return scalarText(row[col]);
    }
  }
  if (typeof query === 'object' && query !== null) return scalarText((query as Record<string, unknown>)[key]);
  return undefined;
}

function stickyKey(req: FastifyRequest, source: StickySource): string | undefined {
  if ('header' in source) {
    const h = req.headers[source.header];
    return Array.isArray(h) ? h[0] : h;
  }
  return stickyKeyFromBody(req.body, req.query, source.key);
}

/** Where the router's warnings go (the server's logger). */
export interface RoutingLog {
  info(obj: object, msg: string): void;
  warn(msg: string): void;
}

/** The routed and shadow versions of a table, as "model/version" (undefined versions, the latest, are never missing). */
function namedVersions(table: RoutingTable): Map<string, { model: string; version: string; key: string }> {
  const out = new Map<string, { model: string; version: string; key: string }>();
  for (const r of table.values()) {
    for (const a of r.arms) if (a.version !== undefined) out.set(`${r.model}/${a.version}`, { model: r.model, version: a.version, key: a.key });
    if (r.shadow !== null) out.set(`${r.model}/${r.shadow.version}`, { model: r.model, version: r.shadow.version, key: `routing.${r.model}.shadow.version` });
  }
  return out;
}

export class Router {
  private table: RoutingTable = EMPTY_ROUTING;
  private readonly random: () => number;
  /** "model/version" named by the routing in force and not loaded now (recheck()). */
  private readonly missing = new Set<string>();
  private fallbacks: Counter<'model' | 'version'> | null = null;

  constructor(private readonly repo: ModelRepository, seed: number = randomBytes(4).readUInt32LE(0)) {
    this.random = mulberry32(seed);
  }

  /** Exports mlcompile_routing_fallback_total to the server's /metrics registry. */
  exportMetrics(registry: Registry): void {
    this.fallbacks = new Counter({
      name: 'mlcompile_routing_fallback_total',
      help: 'Requests routed to a version that is no longer loaded, served by the latest version instead',
      labelNames: ['model', 'version'],
      registers: [registry],
    });
  }

  /**
   * Checks the routing in force against the versions loaded now (call after every load or
   * unload): logs one warning per routed version that disappeared, one info line per one
   * that came back. Returns the "model/version" pairs missing now.
   */
  recheck(log?: RoutingLog): readonly string[] {
    for (const [k, n] of namedVersions(this.table)) {
      const loaded = this.repo.has(n.model, n.version);
      if (!loaded && !this.missing.has(k)) {
        this.missing.add(k);
        log?.warn(`routing: ${n.key} names version "${n.version}" of "${n.model}", which is no longer loaded; its share goes to the latest version (${this.latestOf(n.model)}) until it is loaded again or the routing is changed`);
      } else if (loaded && this.missing.delete(k)) {
        log?.info({ model: n.model, version: n.version }, `routing: version "${n.version}" of "${n.model}" is loaded again and gets its share back`);
      }
    }
    return [...this.missing];
  }

  private latestOf(model: string): string {
    try {
      return this.repo.resolve(model).version;
    } catch {
      return 'none: the model is not loaded';
    }
  }

  /** The routing in force. */
  get routing(): RoutingTable {
    return this.table;
  }

  /** Replaces the routing (already checked: routingFromSection). */
  setRouting(table: RoutingTable): void {
    this.table = table;
    // A table is checked against the loaded versions before it is put in force.
    this.missing.clear();
  }

  /** Parses and checks a `routing` section; returns the step that puts it in force (for config reloads), and logs it. */
  prepare(section: unknown, log?: { info(obj: object, msg: string): void }): () => void {
    const table = routingFromSection(section, this.repo);
    return () => {
      this.setRouting(table);
      log?.info({ routing: describeRouting(table) }, table.size === 0 ? 'routing: none (unversioned requests go to the latest version)' : `routing in force for ${table.size} model(s)`);
    };
  }

  /** The routing of one model, if it has any. */
  routingOf(name: string): ModelRouting | undefined {
    return this.table.get(name);
  }

  /**
   * The version that serves a request for `name`: `version` when the request names one,
   * else the routed one. Sets X-Routed-Version. Throws the repository's 404 for unknown names.
   */
  resolve(req: FastifyRequest, reply: FastifyReply, name: string, version: string | undefined): ModelVersion {
    const m = version === undefined ? this.route(req, name) : this.repo.resolve(name, version);
    reply.header(ROUTED_VERSION_HEADER, m.version);
    return m;
  }

  /** The model /invocations serves, routed. */
  resolveDefault(req: FastifyRequest, reply: FastifyReply): ModelVersion {
    const m = this.route(req, this.repo.defaultModel().name);
    reply.header(ROUTED_VERSION_HEADER, m.version);
    return m;
  }

  private route(req: FastifyRequest, name: string): ModelVersion {
    const r = this.table.get(name);
    if (r === undefined) return this.repo.resolve(name);
    const version = this.pick(r, req);
    // A routed version unloaded since the routing was checked: the latest serves rather than
    // failing the request (the repository API refuses nothing on routing's behalf).
    if (version === undefined) return this.repo.resolve(name);
    if (!this.repo.has(name, version)) {
      this.fallbacks?.inc({ model: name, version });
      return this.repo.resolve(name);
    }
    return this.repo.resolve(name, version);
  }

  /** The arm's version (undefined: the latest) for this request. */
  pick(r: ModelRouting, req: FastifyRequest): string | undefined {
    const arms = r.arms;
    if (arms.length === 1) return arms[0].version;
    const key = r.sticky === null ? undefined : stickyKey(req, r.sticky);
    const u = key === undefined ? this.random() * 100 : stickyDraw(key);
    for (const a of arms) if (u < a.upTo) return a.version;
    return arms[arms.length - 1].version;
  }

  /** A draw in [0, 100) for shadow sampling. */
  draw(): number {
    return this.random() * 100;
  }
}
