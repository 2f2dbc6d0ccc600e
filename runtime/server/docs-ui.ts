// Interactive API docs at GET /docs: Swagger UI showing the server's OpenAPI
// documents (all models, or one model's: /docs?model=<name>), where a person can
// fill in a request (each inference operation comes with an example) and send it.
//
// The UI's files are not in server.mjs: the compiler copies them from the
// swagger-ui-dist package into DIR/docs-ui/ (generators/server/docs-ui.ts), and they
// are served from there at /docs/<file>, read once and kept in memory. Without that
// directory /docs still answers, with plain links to the documents. The page runs
// no inline script: its settings are JSON in the page, read by /docs/init.js.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import { serverError } from './errors.js';
import { ASSET_CACHE, REVALIDATE, etagOf } from './etag.js';
import { docsFileParams, errorResponses } from './schemas.js';

/** The swagger-ui-dist files the page loads, copied into DIR/docs-ui/. */
export const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui.css', 'favicon-32x32.png', 'favicon-16x16.png'] as const;

/** Licence files shipped beside them (copied, not served). */
export const SWAGGER_UI_LICENSE_FILES = ['LICENSE', 'NOTICE', 'swagger-ui-bundle.js.LICENSE.txt', 'swagger-ui-standalone-preset.js.LICENSE.txt'] as const;

/** Served by the server itself: starts the UI with the page's settings. */
const INIT_JS = `// mlcompile: starts Swagger UI with the settings the /docs page carries as JSON.
window.addEventListener('load', function () {
  var config = JSON.parse(document.getElementById('mlcompile-docs-config').textContent);
  window.ui = SwaggerUIBundle({
    urls: config.urls,
    'urls.primaryName': config.primary,
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    // No badge fetched from an online validator: the page talks to this server only.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
});
`;

/** Every file /docs/{file} serves. */
export const DOCS_FILES: readonly string[] = [...SWAGGER_UI_FILES, 'init.js'];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

function contentType(file: string): string {
  return CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
}

/** Text safe inside an HTML element or a double-quoted attribute. */
function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Asset {
  readonly body: Buffer;
  readonly etag: string;
}

/** The OpenAPI documents the UI offers: all models, then one per model. */
function documents(ctx: AppContext): { url: string; name: string }[] {
  return [
    { url: '/openapi.json', name: 'all models' },
    ...ctx.repository.names().map((n) => ({ url: `/v2/models/${encodeURIComponent(n)}/openapi.json`, name: n })),
  ];
}

function uiPage(ctx: AppContext, primary: string): string {
  const config = JSON.stringify({ urls: documents(ctx), primary }).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(ctx.serverName)} prediction server: API docs</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script id="mlcompile-docs-config" type="application/json">${config}</script>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
}

/** What /docs answers when the UI's files are not there: the documents, as links. */
function plainPage(ctx: AppContext): string {
  const items = documents(ctx).map((d) => `<li><a href="${html(d.url)}">${html(d.name)}</a>: <code>${html(d.url)}</code></li>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${html(ctx.serverName)} prediction server: API docs</title></head>
<body>
<h1>API docs</h1>
<p>The interactive docs UI is not installed beside this server (no <code>docs-ui/</code> directory next to server.mjs).
The OpenAPI documents:</p>
<ul>
${items}
</ul>
<p>All links: <a href="/">/</a></p>
</body>
</html>
`;
}

interface DocsRoute {
  Querystring: { model?: string };
}

interface FileRoute {
  Params: { file: string };
}

export function docsUiPlugin(ctx: AppContext, dir: string | undefined) {
  const assets = new Map<string, Asset>();
  const installed = dir !== undefined && SWAGGER_UI_FILES.every((f) => existsSync(join(dir, f)));

  function asset(file: string): Asset | undefined {
    const known = assets.get(file);
    if (known !== undefined) return known;
    let body: Buffer;
    if (file === 'init.js') body = Buffer.from(INIT_JS, 'utf8');
    else if (installed && dir !== undefined && (SWAGGER_UI_FILES as readonly string[]).includes(file)) body = readFileSync(join(dir, file));
    else return undefined;
    const a = { body, etag: etagOf(body) };
    assets.set(file, a);
    return a;
  }

  return async function docsUi(app: FastifyInstance): Promise<void> {
    app.get<DocsRoute>('/docs', {
      schema: {
        querystring: { type: 'object', properties: { model: { type: 'string' } } },
        response: { 200: { type: 'string' }, ...errorResponses },
      },
      config: { cache: REVALIDATE },
    }, (req: FastifyRequest<DocsRoute>, reply: FastifyReply) => {
      const names = ctx.repository.names();
      const asked = req.query.model;
      if (asked !== undefined) ctx.repository.resolve(asked); // 404 for an unknown model
      // One model: its own document, where every operation is that model's.
      const primary = asked ?? (names.length === 1 ? names[0] : 'all models');
      reply.type('text/html; charset=utf-8');
      return installed ? uiPage(ctx, primary) : plainPage(ctx);
    });

    app.get<FileRoute>('/docs/:file', {
      schema: { params: docsFileParams, response: { 200: { type: 'string' }, ...errorResponses } },
      config: { cache: ASSET_CACHE },
    }, (req: FastifyRequest<FileRoute>, reply: FastifyReply) => {
      const a = asset(req.params.file);
      if (a === undefined) {
        return serverError('MLS_ERR_NOT_FOUND', installed || req.params.file === 'init.js' || !DOCS_FILES.includes(req.params.file)
          ? `no docs file "${req.params.file}"`
          : `the docs UI is not installed beside this server (no docs-ui/${req.params.file})`);
      }
      reply.header('etag', a.etag).type(contentType(req.params.file));
      return reply.send(a.body);
    });
  };
}
