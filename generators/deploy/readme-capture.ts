// The generated README's "Data capture and drift monitoring" section: the `capture`
// and `monitoring` sections of mlcompile.yaml, their environment variables, the drift
// gauges in /metrics and how to give a baseline (runtime/server/capture*.ts, drift*.ts,
// src/baseline*.ts; docs/server.md has it all). Model names are URL-safe by construction
// (NAME_PATTERN); they are still quoted as YAML strings and shell words.

import type { DeployOptions } from './options.js';

export function captureSection(o: DeployOptions, url: string, quote: (text: string) => string): string[] {
  const name = o.models[0]?.name ?? 'mymodel';
  return [
    '## Data capture and drift monitoring',
    '',
    'Capture: a sample of inference requests is written with the answers, one JSON Lines record per request',
    '(`time`, `model`, `version`, `id` (the request id), `route`, `inputs`: the body sent, `outputs`: the answer),',
    'to `capture/capture-<model>-<UTC time>-<seq>.jsonl`, rotated by size. With every rate 0 it costs nothing (no',
    'request hook); a profile may set a default rate (see Environments), which the settings below override. An',
    '`/invocations` answer sent as CSV is recorded (and monitored) as its JSON form; batch scoring (`.../batch`, jobs)',
    'is neither captured nor monitored: its input is already a file you have.',
    '',
    '```sh',
    'MLCOMPILE_CAPTURE_RATE=0.05 MLCOMPILE_CAPTURE_DIR=/data/capture node server.mjs   # 5 % of requests',
    'tail -n 1 /data/capture/capture-*.jsonl',
    '```',
    '',
    '```yaml',
    'capture:                 # mlcompile.yaml; reloaded on SIGHUP, on a file change, or with the call below',
    '  dir: /data/capture     # default: capture/ beside server.mjs',
    '  rate: 0.01             # share of requests, 0 to 1',
    '  maxFileBytes: 64mb     # rotate before a file grows past this (MLCOMPILE_CAPTURE_MAX_BYTES)',
    '  maxFiles: 10           # files kept per model (MLCOMPILE_CAPTURE_MAX_FILES)',
    '  models:',
    `    ${JSON.stringify(name)}: { rate: 0.1 }   # a model's own rate wins`,
    'monitoring:',
    '  window: 10000          # drift gauges describe the last 10,000-20,000 instances (MLCOMPILE_DRIFT_WINDOW)',
    '```',
    '',
    '```sh',
    `curl -X POST ${url}/v2/repository/config/reload   # apply an edited capture section now`,
    '```',
    '',
    'A write error (a full disk, a directory that cannot be written) stops capture with one log line and',
    '`mlcompile_capture_active 0`; the server keeps answering. A reload resumes it. In Kubernetes the root filesystem',
    'is read-only: set `MLCOMPILE_CAPTURE_DIR` to a mounted volume.',
    '',
    'Drift: a version compiled with `--baseline data.csv` (or a PMML model declaring value ranges, categories or',
    'ModelStats) has `models/<name>/<version>/baseline.json`, and `/metrics` compares the traffic with it, per feature:',
    '',
    '```sh',
    `mlcompile model.${o.models[0]?.format ?? 'pmml'} --target server --out . --name ${name} --model-version 2 --baseline train.csv   # a version with a baseline`,
    `curl -s ${url}/metrics | grep -E ${quote(`^mlcompile_(feature|prediction)_.*model="${name}"`)}`,
    '```',
    '',
    '`mlcompile_feature_psi` (population stability index: < 0.1 stable, > 0.25 major shift),',
    '`mlcompile_feature_out_of_range_ratio`, `mlcompile_feature_unseen_category_ratio`, `mlcompile_feature_missing_ratio`,',
    '`mlcompile_prediction_label_total`, the `mlcompile_prediction_value` histogram and `mlcompile_prediction_psi`; errors by kind are',
    '`mlcompile_errors_total{kind="MLS_ERR_..."}`. `MLCOMPILE_MONITORING=off` turns drift monitoring off.',
    '',
  ];
}
