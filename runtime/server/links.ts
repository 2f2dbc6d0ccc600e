// GET /: where everything is. The server's name and version, its own links
// (health, metadata, metrics, OpenAPI, docs...), and each model with its versions
// and their links (metadata, ready, infer, batch and jobs where served, the OpenAPI
// document, the docs page, module downloads):
//
//   {"name": "mlcompile", "version": "0.1.0",
//    "links": {"self": "/", "server_metadata": "/v2", "live": "/v2/health/live", ...},
//    "models": [{"name": "mlp", "platform": "onnx_onnxv1", "latest_version": "2", "default": true,
//                "links": {"metadata": "/v2/models/mlp", "infer": "/v2/models/mlp/infer", ...,
//                          "openapi": "/v2/models/mlp/openapi.json", "docs": "/docs?model=mlp"},
//                "versions": [{"version": "1", "platform": "onnx_onnxv1",
//                              "links": {"metadata": "/v2/models/mlp/versions/1", ..., "module": "/v2/models/mlp/versions/1/module.mjs"}}]}]}
//
// The links are derived from the routes the application registers (every plugin's,
// whichever registers it), so the index cannot list a route that does not exist nor
// miss one: a route with no parameters is a server link, one under
// /v2/models/:model_name a model link, one under .../versions/:model_version a
// version link; routes with other parameters (a job id) are reached from those.

import type { FastifyInstance } from 'fastify';
import { global, type AppContext } from './context.js';
import { REVALIDATE } from './etag.js';
import { errorResponses, linksResponse } from './schemas.js';

const MODEL_PREFIX = '/v2/models/:model_name';
const VERSION_PREFIX = `${MODEL_PREFIX}/versions/:model_version`;

/** Link names of well-known routes; others are named after their path. */
const SERVER_NAMES: Readonly<Record<string, string>> = {
  '/v2': 'server_metadata',
  '/v2/health/live': 'live',
  '/v2/health/ready': 'ready',
  '/openapi.json': 'openapi',
};

const SUFFIX_NAMES: Readonly<Record<string, string>> = {
  '': 'metadata',
  '/openapi.json': 'openapi',
  '/module.mjs': 'module',
  '/module.cjs': 'module_cjs',
  '/model.d.ts': 'types',
};

/** "/v2/jobs" → "jobs", "/batch" → "batch", "/a-b.c" → "a_b_c". */
function nameOf(path: string): string {
  return path.replace(/^\/(v2\/)?/, '').replace(/[^A-Za-z0-9]+/g, '_') || 'root';
}

/** Docs assets and other routes with a parameter of their own are not links. */
function hasOtherParams(path: string): boolean {
  return /[:*]/.test(path);
}

interface Template {
  readonly name: string;
  readonly suffix: string;
}

function addTemplate(list: Template[], name: string, suffix: string): void {
  if (!list.some((t) => t.name === name)) list.push({ name, suffix });
}

export function linksPlugin(ctx: AppContext) {
  const server: Template[] = [{ name: 'self', suffix: '/' }];
  const model: Template[] = [];
  const version: Template[] = [];

  return global(async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat();
      if (!methods.includes('GET') && !methods.includes('POST')) return;
      const url = route.url;
      if (url === '/' || url === '') return;
      if (url.startsWith(VERSION_PREFIX)) {
        const suffix = url.slice(VERSION_PREFIX.length);
        if (!hasOtherParams(suffix)) addTemplate(version, SUFFIX_NAMES[suffix] ?? nameOf(suffix), suffix);
      } else if (url.startsWith(MODEL_PREFIX)) {
        const suffix = url.slice(MODEL_PREFIX.length);
        if (!hasOtherParams(suffix)) addTemplate(model, SUFFIX_NAMES[suffix] ?? nameOf(suffix), suffix);
      } else if (!hasOtherParams(url)) {
        addTemplate(server, SERVER_NAMES[url] ?? nameOf(url), url);
      }
    });

    app.get('/', { schema: { response: { 200: linksResponse, ...errorResponses } }, config: { cache: REVALIDATE, cors: true } }, () => {
      const repo = ctx.repository;
      const hasDocs = server.some((t) => t.suffix === '/docs');
      let defaultName: string | undefined;
      try {
        defaultName = repo.defaultModel().name;
      } catch {
        defaultName = undefined;
      }
      const links = (templates: readonly Template[], base: string): Record<string, string> => Object.fromEntries(templates.map((t) => [t.name, base + t.suffix]));
      return {
        name: ctx.serverName,
        version: ctx.serverVersion,
        links: links(server, ''),
        models: repo.names().map((name) => {
          const latest = repo.resolve(name);
          const modelBase = `/v2/models/${encodeURIComponent(name)}`;
          return {
            name,
            platform: latest.platform,
            latest_version: latest.version,
            default: name === defaultName,
            links: { ...links(model, modelBase), ...(hasDocs ? { docs: `/docs?model=${encodeURIComponent(name)}` } : {}) },
            versions: repo.versionsOf(name).map((v) => {
              const m = repo.resolve(name, v);
              return { version: v, platform: m.platform, links: links(version, `${modelBase}/versions/${encodeURIComponent(v)}`) };
            }),
          };
        }),
      };
    });
  }, 'mlcompile-links');
}
