// openapi.json: every route of the server, and each model version's exact
// inference request and response, built from the manifests by the same function
// the server uses for GET /openapi.json (runtime/server/openapi-doc.ts), so the
// file and the served document agree.

import { buildOpenApi } from '../../runtime/server/openapi-doc.js';
import type { ModelManifest } from './emit-manifest.js';

export interface OpenApiOptions {
  readonly compilerVersion: string;
  /** Manifests of every model version in the directory, sorted by name then version. */
  readonly models: readonly ModelManifest[];
  /** Latest version per model name (what unversioned URLs answer with). */
  readonly latest: ReadonlyMap<string, string>;
}

export function emitOpenApi(opts: OpenApiOptions): Record<string, unknown> {
  return buildOpenApi({ serverVersion: opts.compilerVersion, models: opts.models, latest: opts.latest });
}
