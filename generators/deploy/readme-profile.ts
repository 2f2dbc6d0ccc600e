// The generated README's "Environments" section: profiles, bearer-token auth, rate
// limits, CORS and body limits (runtime/server/profile.ts; docs/server.md has it all).

import { authSecretName } from './k8s.js';
import type { DeployOptions } from './options.js';

/** An inference call to show: the model's URL and its sample body, already shell-quoted. */
export interface SampleCall {
  readonly inferUrl: string;
  readonly quotedBody: string;
}

export function environmentsSection(o: DeployOptions, url: string, call: SampleCall | undefined): string[] {
  const inferUrl = call?.inferUrl ?? `${url}/v2/models/<name>/infer`;
  const body = call?.quotedBody ?? "'{...}'";
  return [
    '## Environments: profiles, auth, rate limits, CORS',
    '',
    '`MLCOMPILE_PROFILE` picks defaults for one kind of environment; unset, it is `development` (nothing refused,',
    'nothing added). Environment variables win over the configuration file (`mlcompile.yaml` beside server.mjs,',
    'or `MLCOMPILE_CONFIG`), which wins over the profile. The startup log line `environment: <profile> profile`',
    'lists the settings in force (never a token).',
    '',
    '| setting | `development` | `test` | `production` | variable |',
    '|---|---|---|---|---|',
    '| log level | info | debug | info | `LOG_LEVEL` |',
    '| bearer-token auth | when tokens are set | when tokens are set | **required** (exit 2 without) | `MLCOMPILE_AUTH_TOKENS`, `MLCOMPILE_AUTH_TOKENS_FILE`; `MLCOMPILE_ALLOW_NO_AUTH=1` |',
    '| rate limit per client | off | off | 60,000 / minute | `MLCOMPILE_RATE_LIMIT=100/1m` (or `off`) |',
    '| CORS origins | off | `*` | off | `MLCOMPILE_CORS_ORIGINS=https://app.example.com` (or `off`) |',
    '| body limit | 5 MiB | 5 MiB | 1 MiB | `MLCOMPILE_BODY_LIMIT` |',
    '| capture rate (once capture is configured) | 0 | 1 | 0.1 | `MLCOMPILE_CAPTURE_RATE` |',
    '',
    '```sh',
    'TOKEN=$(openssl rand -hex 32)',
    'MLCOMPILE_PROFILE=production MLCOMPILE_AUTH_TOKENS="$TOKEN" node server.mjs',
    '',
    `curl -i -H 'Content-Type: application/json' ${inferUrl} -d ${body}`,
    '# HTTP/1.1 401 Unauthorized',
    '# www-authenticate: Bearer realm="mlcompile"',
    '# {"error":"this server requires a bearer token: send Authorization: Bearer <token>","code":"MLS_ERR_UNAUTHORIZED"}',
    `curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${inferUrl} -d ${body}`,
    `curl ${url}/v2/health/ready          # probes (/v2/health/*, /ping) and /metrics need no token`,
    '```',
    '',
    'Several tokens (rotation): `MLCOMPILE_AUTH_TOKENS=new,old`. Tokens are compared in constant time.',
    'Over the rate limit a client (its token, else its address) gets 429 `MLS_ERR_RATE_LIMITED` with `Retry-After`:',
    '',
    '```sh',
    'MLCOMPILE_RATE_LIMIT=2/1m MLCOMPILE_CORS_ORIGINS=https://app.example.com node server.mjs',
    `curl -i -X OPTIONS -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: POST' ${inferUrl}`,
    '# HTTP/1.1 204 No Content, access-control-allow-origin: https://app.example.com',
    `for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code} ' -H 'Content-Type: application/json' ${inferUrl} -d ${body}; done`,
    '# 200 200 429',
    '```',
    '',
    'Or in `mlcompile.yaml` (keep tokens out of it unless it is as secret as they are: a token file is safer):',
    '',
    '```yaml',
    'profile: production',
    'auth: { tokensFile: /var/run/secrets/mlcompile/tokens, metrics: open }   # metrics: protected needs a token for /metrics',
    'limits: { rate: { max: 100, window: 10s }, body: 2mb }',
    'cors: { origins: [https://app.example.com] }',
    '```',
    '',
    `In Kubernetes, \`k8s/deployment.yaml\` sets \`MLCOMPILE_PROFILE=production\` and reads \`MLCOMPILE_AUTH_TOKENS\` from the`,
    `Secret \`${authSecretName(o)}\` (key \`tokens\`), which you create (it is not in \`k8s/\`, so no known token is ever applied):`,
    '',
    '```sh',
    `kubectl create secret generic ${authSecretName(o)} --from-literal=tokens="$(openssl rand -hex 32)"`,
    '```',
    '',
  ];
}
