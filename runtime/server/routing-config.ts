// The `routing` section of the configuration file (config-file.ts): how requests that
// name no version are spread over a model's versions. Parsing is in two steps: the
// section's shape and types (parseRoutingSection, no models needed), then the model
// and version names against what is loaded (checkRouting). Both throw ConfigError
// naming the key at fault, so a bad file is refused at start and at reload alike.
//
//   routing:
//     iris:                          # a list: weighted A/B split, weights in percent adding up to 100
//       - { version: "1", weight: 90 }
//       - { version: "2", weight: 10 }
//     fraud:                         # a mapping: any of split | canary, primary, sticky, shadow
//       canary: { version: "3", percent: 5 }   # the rest goes to `primary` (default: the latest version)
//       sticky: { header: "x-user-id" }        # or { key: "customer_id" } (request parameters or body)
//       shadow: { version: "4", percent: 100, tolerance: 0 }

import { ConfigError } from './config.js';
import type { ModelRepository } from './models-repository.js';

/** One way a request can go: `version` (undefined: the latest) for buckets up to `upTo` percent. */
export interface RouteArm {
  readonly version: string | undefined;
  readonly weight: number;
  /** Cumulative weight: the arm takes a draw u in [0, 100) when u < upTo (and no earlier arm took it). */
  readonly upTo: number;
  /** The configuration key that named the version, for messages. */
  readonly key: string;
}

/** Where a sticky assignment's key comes from. */
export type StickySource = { readonly header: string } | { readonly key: string };

export interface ShadowSettings {
  readonly version: string;
  /** Percent of routed requests mirrored (default 100). */
  readonly percent: number;
  /** Largest absolute difference between two numbers that still counts as agreement (default 0: equal). */
  readonly tolerance: number;
}

export interface ModelRouting {
  readonly model: string;
  readonly arms: readonly RouteArm[];
  readonly sticky: StickySource | null;
  readonly shadow: ShadowSettings | null;
}

/** Routing by model name; models not in it are served by their latest version. */
export type RoutingTable = ReadonlyMap<string, ModelRouting>;

export const EMPTY_ROUTING: RoutingTable = new Map();

/** Weights must add up to 100 within this (decimal weights such as 33.3 + 33.3 + 33.4 are fine). */
const WEIGHT_EPSILON = 1e-9;

/** HTTP header names (RFC 9110 token characters). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function onlyKeys(v: Record<string, unknown>, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw new ConfigError(`${at}.${k}: unknown key; use ${allowed.join(', ')}`);
  }
}

/** A version: a string, or a whole number (YAML reads `version: 2` as a number). */
function versionAt(v: unknown, at: string): string {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  throw new ConfigError(`${at}: give a version name (a string such as "2"), not ${describe(v)}`);
}

function percentAt(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) throw new ConfigError(`${at}: give a number from 0 to 100, not ${describe(v)}`);
  return v;
}

function withCumulative(arms: readonly { version: string | undefined; weight: number; key: string }[]): RouteArm[] {
  let total = 0;
  return arms.map((a, i) => {
    total += a.weight;
    // The last arm closes the range exactly, whatever rounding the sum had.
    return { version: a.version, weight: a.weight, upTo: i === arms.length - 1 ? 100 : total, key: a.key };
  });
}

function parseSplit(v: unknown, at: string): RouteArm[] {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError(`${at}: give a list of { version, weight } entries, not ${describe(v)}`);
  const seen = new Set<string>();
  const arms = v.map((entry: unknown, i) => {
    const here = `${at}[${i}]`;
    if (!isMapping(entry)) throw new ConfigError(`${here}: give a mapping { version, weight }, not ${describe(entry)}`);
    onlyKeys(entry, ['version', 'weight'], here);
    const version = versionAt(entry.version, `${here}.version`);
    if (seen.has(version)) throw new ConfigError(`${here}.version: version "${version}" is listed twice`);
    seen.add(version);
    return { version, weight: percentAt(entry.weight, `${here}.weight`), key: `${here}.version` };
  });
  const sum = arms.reduce((s, a) => s + a.weight, 0);
  if (Math.abs(sum - 100) > WEIGHT_EPSILON) {
    throw new ConfigError(`${at}: the weights add up to ${sum}, not 100 (${arms.map((a) => `"${a.version}": ${a.weight}`).join(', ')})`);
  }
  return withCumulative(arms);
}

function parseSticky(v: unknown, at: string): StickySource {
  if (!isMapping(v)) throw new ConfigError(`${at}: give { header: "x-user-id" } or { key: "customer_id" }, not ${describe(v)}`);
  onlyKeys(v, ['header', 'key'], at);
  const hasHeader = v.header !== undefined;
  if (hasHeader === (v.key !== undefined)) throw new ConfigError(`${at}: give exactly one of header or key`);
  if (hasHeader) {
    if (typeof v.header !== 'string' || !HEADER_NAME.test(v.header)) throw new ConfigError(`${at}.header: give an HTTP header name, not ${describe(v.header)}`);
    // Node gives header names in lower case.
    return { header: v.header.toLowerCase() };
  }
  if (typeof v.key !== 'string' || v.key === '') throw new ConfigError(`${at}.key: give the name of a request parameter or input field, not ${describe(v.key)}`);
  return { key: v.key };
}

function parseShadow(v: unknown, at: string): ShadowSettings {
  // `shadow: "4"` is short for `shadow: { version: "4" }`.
  if (!isMapping(v)) return { version: versionAt(v, at), percent: 100, tolerance: 0 };
  onlyKeys(v, ['version', 'percent', 'tolerance'], at);
  const percent = v.percent === undefined ? 100 : percentAt(v.percent, `${at}.percent`);
  const tolerance = v.tolerance ?? 0;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new ConfigError(`${at}.tolerance: give a number ≥ 0 (the largest absolute difference that counts as agreement), not ${describe(tolerance)}`);
  }
  return { version: versionAt(v.version, `${at}.version`), percent, tolerance };
}

function parseModelRouting(model: string, v: unknown, at: string): ModelRouting {
  if (Array.isArray(v)) return { model, arms: parseSplit(v, at), sticky: null, shadow: null };
  if (!isMapping(v)) throw new ConfigError(`${at}: give a list of { version, weight } or a mapping with split, canary, primary, sticky or shadow, not ${describe(v)}`);
  onlyKeys(v, ['split', 'canary', 'primary', 'sticky', 'shadow'], at);
  if (v.split !== undefined && v.canary !== undefined) throw new ConfigError(`${at}: give split or canary, not both`);
  if (v.split !== undefined && v.primary !== undefined) throw new ConfigError(`${at}.primary: a split names all its versions; primary goes with canary (or alone)`);
  const primary = v.primary === undefined ? undefined : versionAt(v.primary, `${at}.primary`);
  let arms: RouteArm[];
  if (v.split !== undefined) {
    arms = parseSplit(v.split, `${at}.split`);
  } else if (v.canary !== undefined) {
    const c = v.canary;
    if (!isMapping(c)) throw new ConfigError(`${at}.canary: give { version, percent }, not ${describe(c)}`);
    onlyKeys(c, ['version', 'percent'], `${at}.canary`);
    const version = versionAt(c.version, `${at}.canary.version`);
    if (version === primary) throw new ConfigError(`${at}.canary.version: "${version}" is also the primary version`);
    const percent = percentAt(c.percent, `${at}.canary.percent`);
    arms = withCumulative([{ version, weight: percent, key: `${at}.canary.version` }, { version: primary, weight: 100 - percent, key: `${at}.primary` }]);
  } else {
    arms = withCumulative([{ version: primary, weight: 100, key: `${at}.primary` }]);
  }
  return {
    model,
    arms,
    sticky: v.sticky === undefined ? null : parseSticky(v.sticky, `${at}.sticky`),
    shadow: v.shadow === undefined ? null : parseShadow(v.shadow, `${at}.shadow`),
  };
}

/** The routing section's shape and types (absent or null: no routing). */
export function parseRoutingSection(section: unknown): RoutingTable {
  if (section === undefined || section === null) return EMPTY_ROUTING;
  if (!isMapping(section)) throw new ConfigError(`routing: give a mapping of model names to their routing, not ${describe(section)}`);
  const table = new Map<string, ModelRouting>();
  for (const [model, v] of Object.entries(section)) table.set(model, parseModelRouting(model, v, `routing.${model}`));
  return table;
}

/** Every model and version the table names is loaded in `repo`. */
export function checkRouting(table: RoutingTable, repo: ModelRepository): void {
  for (const r of table.values()) {
    const at = `routing.${r.model}`;
    const versions = repo.versionsOf(r.model);
    if (versions.length === 0) {
      const names = repo.names();
      throw new ConfigError(`${at}: no model "${r.model}" is loaded (${names.length === 0 ? 'none is' : `loaded: ${names.map((n) => `"${n}"`).join(', ')}`})`);
    }
    const need = (version: string | undefined, key: string): void => {
      if (version !== undefined && !versions.includes(version)) {
        throw new ConfigError(`${key}: model "${r.model}" has no version "${version}"; it has ${versions.map((x) => `"${x}"`).join(', ')}`);
      }
    };
    r.arms.forEach((a) => need(a.version, a.key));
    if (r.shadow !== null) need(r.shadow.version, `${at}.shadow.version`);
  }
}

/** The section parsed and checked against the loaded models. */
export function routingFromSection(section: unknown, repo: ModelRepository): RoutingTable {
  const table = parseRoutingSection(section);
  checkRouting(table, repo);
  return table;
}

/** The routing in a few words per model, for log lines: `{"iris": "1: 90 %, 2: 10 %; sticky by header x-user-id; shadow 4"}`. */
export function describeRouting(table: RoutingTable): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of table.values()) {
    const parts = [r.arms.map((a) => `${a.version ?? 'latest'}: ${a.weight} %`).join(', ')];
    if (r.sticky !== null) parts.push('header' in r.sticky ? `sticky by header ${r.sticky.header}` : `sticky by key ${r.sticky.key}`);
    if (r.shadow !== null) parts.push(`shadow ${r.shadow.version}${r.shadow.percent < 100 ? ` (${r.shadow.percent} %)` : ''}`);
    out[r.model] = parts.join('; ');
  }
  return out;
}
