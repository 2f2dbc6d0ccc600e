// The generated README's "Versions and hot updates" section: the X-Model-* headers,
// adding a version with --model-version, the directory watcher, the repository API
// and rollback (runtime/server/version-*.ts, repository-routes.ts; docs/server.md has
// it all). Model names and versions are URL- and shell-safe by construction (NAME_PATTERN).

import type { DeployModel, DeployOptions } from './options.js';

export function versionsSection(o: DeployOptions, url: string, first: DeployModel | undefined): string[] {
  const name = first?.name ?? '<name>';
  const versions = o.models.filter((m) => m.name === name).map((m) => m.version);
  const latest = o.latest.get(name) ?? versions[versions.length - 1] ?? '1';
  const next = /^\d+$/.test(latest) ? String(Number(latest) + 1) : '2';
  const sha = first?.sha256 !== undefined && first.sha256 !== '' ? `${first.sha256.slice(0, 12)}...` : '<sha256 of the source model>';
  return [
    '## Versions and hot updates',
    '',
    'Every answer a model gave carries `X-Model-Name`, `X-Model-Version` and `X-Model-Sha256` (the sha256 of the',
    'source model file):',
    '',
    '```sh',
    `curl -si ${url}/v2/models/${name} | grep -i '^x-model'`,
    `# x-model-name: ${name}`,
    `# x-model-version: ${latest}`,
    `# x-model-sha256: ${sha}`,
    '```',
    '',
    'Add a version while the server runs; it is loaded, checked and swapped in without a restart, and requests',
    'that name no version go to the greatest version from then on:',
    '',
    '```sh',
    `mlcompile model-v${next}.${first?.format ?? 'onnx'} --target server --out . --name ${name} --model-version ${next}     # --force replaces an existing version`,
    '```',
    '',
    'The server watches `models/` (`MLCOMPILE_WATCH=0` turns that off, and the watch of `mlcompile.yaml` too unless',
    '`MLCOMPILE_CONFIG_WATCH=1`; `MLCOMPILE_WATCH_INTERVAL` seconds between rescans, default 5; SIGHUP scans once).',
    'A version directory that is incomplete (files missing or not matching',
    'its `manifest.json`) or whose module throws on load is refused with one log line and the versions serving keep',
    'serving. The repository API (as Triton\'s) shows and changes what is served:',
    '',
    '```sh',
    `curl -s -X POST ${url}/v2/repository/index            # every version: READY, UNAVAILABLE or LOADING, and why`,
    `curl -s -X POST ${url}/v2/repository/models/${name}/load -H 'Content-Type: application/json' \\`,
    `  -d '{"parameters":{"version":"${next}"}}'`,
    `# Rollback: unload the bad version; the previous one answers at once, and the watcher leaves it alone`,
    `curl -s -X POST ${url}/v2/repository/models/${name}/unload -H 'Content-Type: application/json' \\`,
    `  -d '{"parameters":{"version":"${next}"}}'`,
    '```',
    '',
    'An unload lasts until the server restarts: remove the directory too to make it permanent. With auth on',
    '(the production profile), these calls need the token like any other: add `-H "Authorization: Bearer $TOKEN"`.',
    '',
  ];
}
