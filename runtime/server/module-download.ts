// Code on demand: a model version's standalone module, as the compiler wrote it
// into the model repository (<models>/<name>/<version>/), for a client to run
// itself, in Node or in a browser page on any origin:
//
//   GET /v2/models/{name}/versions/{v}/module.mjs    ES module (model.mjs)
//   GET /v2/models/{name}/versions/{v}/module.cjs    CommonJS (model.cjs)
//   GET /v2/models/{name}/versions/{v}/model.d.ts    its TypeScript declarations
//
//   const { predict } = await import('http://host:8080/v2/models/mlp/versions/1/module.mjs');
//
// The files are read from disk when asked for (and streamed), so the server holds no
// second copy; a file's ETag (its SHA-256) is computed once and again only when its
// size or modification time changes. Answers carry CORS headers and caching
// (etag.ts); the module needs nothing else: it has no imports.

import { createReadStream, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import { serverError } from './errors.js';
import { MODULE_CACHE, notModified } from './etag.js';
import { errorResponses, versionParams } from './schemas.js';

export interface ModuleFile {
  /** The URL's last segment. */
  readonly route: string;
  /** The file in the version directory. */
  readonly file: string;
  readonly contentType: string;
  readonly description: string;
}

export const MODULE_FILES: readonly ModuleFile[] = [
  { route: 'module.mjs', file: 'model.mjs', contentType: 'text/javascript; charset=utf-8', description: 'The model as a standalone ES module (no imports): `predict`, `run`, `metadata`' },
  { route: 'module.cjs', file: 'model.cjs', contentType: 'text/javascript; charset=utf-8', description: 'The same module as CommonJS' },
  { route: 'model.d.ts', file: 'model.d.ts', contentType: 'application/typescript; charset=utf-8', description: "The module's TypeScript declarations" },
];

interface Fingerprint {
  readonly size: number;
  readonly mtimeMs: number;
  readonly etag: string;
}

/** Streams a file's SHA-256 as a strong ETag. */
function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('error', reject).on('data', (d) => hash.update(d)).on('end', () => resolve(`"${hash.digest('base64url')}"`));
  });
}

interface VersionRoute {
  Params: { model_name: string; model_version: string };
}

export function moduleDownloadPlugin(ctx: AppContext, modelsDir: string | undefined) {
  const fingerprints = new Map<string, Fingerprint>();

  async function fingerprint(path: string): Promise<Fingerprint | undefined> {
    let st;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const known = fingerprints.get(path);
    if (known !== undefined && known.size === st.size && known.mtimeMs === st.mtimeMs) return known;
    const fp = { size: st.size, mtimeMs: st.mtimeMs, etag: await hashFile(path) };
    fingerprints.set(path, fp);
    return fp;
  }

  return async function moduleDownload(app: FastifyInstance): Promise<void> {
    for (const f of MODULE_FILES) {
      app.get<VersionRoute>(`/v2/models/:model_name/versions/:model_version/${f.route}`, {
        schema: { params: versionParams, response: { 200: { type: 'string' }, ...errorResponses } },
        config: { cache: MODULE_CACHE, cors: true },
      }, async (req: FastifyRequest<VersionRoute>, reply: FastifyReply) => {
        const m = ctx.repository.resolve(req.params.model_name, req.params.model_version);
        req.mlModel = m;
        if (modelsDir === undefined) return serverError('MLS_ERR_NOT_FOUND', 'this server has no model repository directory to serve module files from');
        const path = join(modelsDir, m.name, m.version, f.file);
        const fp = await fingerprint(path);
        if (fp === undefined) return serverError('MLS_ERR_NOT_FOUND', `model "${m.name}" version "${m.version}" has no ${f.file} in its directory`);
        reply.header('etag', fp.etag);
        // Answered here so that a 304 opens no file (etag.ts would answer it too).
        if (notModified(req.headers['if-none-match'], fp.etag)) {
          reply.header('cache-control', MODULE_CACHE).code(304);
          return reply.send();
        }
        reply.header('x-content-type-options', 'nosniff').type(f.contentType);
        return reply.send(createReadStream(path));
      });
    }
  };
}
