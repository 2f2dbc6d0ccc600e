// The server's optional configuration file: YAML or JSON, one top-level section per
// feature (`profile`, `routing`, `capture`, `monitoring`, `auth`, `limits`, `cors`...).
// This module only finds, reads and parses the file; each feature validates its own
// section with its own parser (so adding a feature touches one place), and reloads
// go through the same path, so a bad edit is refused the same way as a bad start.
//
// Where it is: MLCOMPILE_CONFIG when set (a missing file is then an error), else the
// first of mlcompile.yaml, mlcompile.yml, mlcompile.json beside server.mjs (none is fine).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config.js';

/** The file's top-level sections, unvalidated. */
export type ConfigSections = Readonly<Record<string, unknown>>;

export const CONFIG_FILE_NAMES = ['mlcompile.yaml', 'mlcompile.yml', 'mlcompile.json'] as const;

/** The configuration file to use, or undefined when there is none. */
export function findConfigFile(env: Readonly<Record<string, string | undefined>>, serverDir: string): string | undefined {
  const named = env.MLCOMPILE_CONFIG?.trim();
  if (named !== undefined && named !== '') {
    if (!existsSync(named)) throw new ConfigError(`MLCOMPILE_CONFIG=${JSON.stringify(named)}: no such file`);
    return named;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(serverDir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Parses a configuration file's text (YAML is a superset of JSON, so one parser reads both). */
export function parseConfigText(text: string, path: string): ConfigSections {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError(`${path}: not valid YAML or JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${path}: the top level must be a mapping of sections (profile, routing, capture, ...)`);
  return doc as ConfigSections;
}

/** Reads and parses the file (no file: no sections). */
export function readConfigFile(path: string | undefined): ConfigSections {
  if (path === undefined) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseConfigText(text, path);
}
