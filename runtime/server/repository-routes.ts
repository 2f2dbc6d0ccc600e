// The model repository API, as Triton's (its "model repository" extension):
//   POST /v2/repository/index                     every version known, with its state and a reason
//   POST /v2/repository/models/{name}/load        load the model's version directories from disk
//   POST /v2/repository/models/{name}/unload      stop serving a version, or the whole model
// load and unload take an optional body {"parameters": {"version": "2"}} naming one version.
// Rollback is one call: unload the bad version; the highest remaining version then answers
// requests without a version, and the watcher leaves the unloaded one alone until it is
// loaded again (version-lifecycle.ts).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServerError } from './errors.js';
import { NAME_PATTERN } from './models-repository.js';
import { indexRequest, indexResponse, loadRequest, loadResponse } from './repository-openapi.js';
import { errorResponses, modelParams } from './schemas.js';
import type { ModelLifecycle, VersionStatus } from './version-lifecycle.js';

interface LoadRoute {
  Params: { model_name: string };
  Body: { parameters?: { version?: string | number } } | null | undefined;
}

function versionOf(req: FastifyRequest<LoadRoute>): string | undefined {
  const v = req.body?.parameters?.version;
  if (v === undefined) return undefined;
  const text = String(v);
  if (!NAME_PATTERN.test(text)) throw new ServerError('MLS_ERR_BAD_REQUEST', `parameters.version ${JSON.stringify(text)} is not a usable version (1-128 letters, digits, '.', '_' or '-')`);
  return text;
}

export function repositoryPlugin(lifecycle: ModelLifecycle) {
  return async function repository(app: FastifyInstance): Promise<void> {
    // These calls need no body: none, or an empty one sent as JSON (curl -X POST -H 'Content-Type:
    // application/json'), means no parameters. This parser applies to this plugin's routes only.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      const text = (body as string).trim();
      if (text === '') {
        done(null, null);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
    app.post<{ Body: { ready?: boolean } | null | undefined }>('/v2/repository/index', {
      schema: { body: indexRequest, response: { 200: indexResponse, ...errorResponses } },
    }, (req) => {
      const all = lifecycle.index();
      return req.body?.ready === true ? all.filter((s) => s.state === 'READY') : all;
    });

    app.post<LoadRoute>('/v2/repository/models/:model_name/load', {
      schema: { params: modelParams, body: loadRequest, response: { 200: loadResponse, ...errorResponses } },
    }, async (req) => {
      const name = req.params.model_name;
      const version = versionOf(req);
      if (!lifecycle.hasModel(name)) throw new ServerError('MLS_ERR_MODEL_NOT_FOUND', `no model "${name}" in the repository (no directory models/${NAME_PATTERN.test(name) ? name : '...'}/)`);
      if (version !== undefined && !lifecycle.hasVersion(name, version)) throw new ServerError('MLS_ERR_MODEL_NOT_FOUND', `model "${name}" has no version directory "${version}"`);
      const versions = await lifecycle.load(name, version);
      const refused = versions.filter((s) => s.state !== 'READY' || s.reason !== '');
      if (refused.length > 0) {
        const serving = versions.filter((s) => s.state === 'READY' && s.reason === '').map((s) => s.version);
        throw new ServerError('MLS_ERR_VERSION_REFUSED', `${refused.map((s) => `model ${s.name}/${s.version} was refused: ${s.reason}`).join('; ')}${serving.length > 0 ? `; loaded: ${serving.join(', ')}` : ''}`);
      }
      if (versions.length === 0) throw new ServerError('MLS_ERR_MODEL_NOT_FOUND', `model "${name}" has no version directories to load`);
      return { name, versions };
    });

    app.post<LoadRoute>('/v2/repository/models/:model_name/unload', {
      schema: { params: modelParams, body: loadRequest, response: { 200: loadResponse, ...errorResponses } },
    }, async (req) => {
      const name = req.params.model_name;
      const version = versionOf(req);
      if (!lifecycle.hasModel(name)) throw new ServerError('MLS_ERR_MODEL_NOT_FOUND', `no model "${name}" in the repository`);
      if (version !== undefined && !lifecycle.hasVersion(name, version)) throw new ServerError('MLS_ERR_MODEL_NOT_FOUND', `model "${name}" has no version "${version}"`);
      const versions: VersionStatus[] = await lifecycle.unload(name, version);
      return { name, versions };
    });
  };
}
