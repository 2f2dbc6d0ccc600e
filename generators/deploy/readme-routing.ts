// The generated README's "Routing between versions" section: the `routing` section of
// mlcompile.yaml (weighted A/B, canary, sticky, shadow), X-Routed-Version, the shadow
// statistics and config reloads (runtime/server/routing*.ts, shadow.ts, config-reload.ts;
// docs/server.md has it all). Model names and versions are URL-safe by construction
// (NAME_PATTERN); they are still quoted as YAML strings.

import type { DeployOptions } from './options.js';

export function routingSection(o: DeployOptions, url: string, inferCall: { readonly inferUrl: string; readonly quotedBody: string } | undefined): string[] {
  const first = o.models[0];
  const name = first?.name ?? 'mymodel';
  const versions = o.models.filter((m) => m.name === name).map((m) => m.version);
  // With one version so far, the example names the next one: add it with --model-version 2.
  const a = versions.length >= 2 ? versions[versions.length - 2] : versions[0] ?? '1';
  const b = versions.length >= 2 ? versions[versions.length - 1] : '2';
  const inferUrl = inferCall?.inferUrl ?? `${url}/v2/models/${name}/infer`;
  const body = inferCall?.quotedBody ?? "'{...}'";
  return [
    '## Routing between versions',
    '',
    'Requests that name no version (`/v2/models/<name>/infer`, `/invocations`, `.../batch`, job submissions) can be',
    'spread over a model\'s versions by the `routing` section of `mlcompile.yaml` (beside server.mjs, or `MLCOMPILE_CONFIG`);',
    'a request naming a version (`/versions/<v>/infer`) always goes to it. Every model response has `X-Routed-Version`,',
    'the version that answered.',
    '',
    '```yaml',
    'routing:',
    `  ${name}:`,
    `    split:                                    # weighted A/B: weights in percent, adding up to 100`,
    `      - { version: ${JSON.stringify(a)}, weight: 90 }`,
    `      - { version: ${JSON.stringify(b)}, weight: 10 }`,
    '    sticky: { header: "x-user-id" }           # the same user always gets the same version (or { key: "customer_id" })',
    '```',
    '',
    `Instead of \`split\`: \`canary: { version: ${JSON.stringify(b)}, percent: 5 }\` sends 5 % to the canary and the rest to`,
    '`primary` (a version; default: the latest). Shadow traffic: one version answers, another scores the same',
    'requests after the answer is sent; its predictions are compared and recorded, never returned:',
    '',
    '```yaml',
    'routing:',
    `  ${name}:`,
    `    primary: ${JSON.stringify(a)}`,
    `    shadow: { version: ${JSON.stringify(b)}, tolerance: 0.001 }   # numbers within 0.001 agree`,
    '```',
    '',
    'A bad section (weights that do not add up, an unknown model or version, a wrong type) stops the server at',
    'start with exit code 2 and a message naming the key (also when the version it names was refused at load).',
    'A routed version unloaded later (repository API, or its directory removed) is logged once as a warning and its',
    'share goes to the latest version until it is back, each such request counted in `mlcompile_routing_fallback_total`.',
    '',
    '```sh',
    `curl -si -H 'Content-Type: application/json' -H 'x-user-id: alice' ${inferUrl} -d ${body} | grep -i x-routed-version`,
    `# x-routed-version: ${a} (or ${b}: whichever alice drew, for all her requests)`,
    `curl -s ${url}/metrics | grep mlcompile_shadow_        # requests, agreement_total, agreement_ratio, abs_difference, errors, dropped`,
    `curl -s '${url}/v2/models/${name}/shadow?limit=5'      # the last primary/shadow pairs`,
    '```',
    '',
    'The configuration file is reloaded on SIGHUP, when it changes (not with `MLCOMPILE_WATCH=0` or',
    '`MLCOMPILE_CONFIG_WATCH=0`), and on request (with auth on, send the token); a file with any bad section is',
    'refused whole (422 `MLS_ERR_BAD_CONFIG` and one log line) and the previous configuration keeps applying:',
    '',
    '```sh',
    `curl -s -X POST ${url}/v2/repository/config/reload`,
    '# {"reloaded":true,"file":"/app/mlcompile.yaml","sections":["routing"]}',
    '```',
    '',
  ];
}
