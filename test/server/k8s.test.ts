// DIR/k8s/ validated against the Kubernetes API schemas, twice over:
//   1. kubernetes-models (npm): validators generated from the official OpenAPI
//      definitions of the Kubernetes API (types, required fields, enums, formats);
//   2. its TypeScript interfaces (generated from the same definitions): each manifest
//      type-checked as an object literal, which catches what (1) lets through, an
//      unknown or misspelt field at any depth (the API server rejects those under
//      strict field validation, or silently drops them).
// The KServe InferenceService has no schema on npm: it gets a structural check written
// from the KServe v1beta1 API reference (InferenceServiceSpec, PredictorSpec, its inline
// PodSpec and ComponentExtensionSpec, and the custom predictor's PROTOCOL variable), its
// PodSpec part validated like the built-in kinds. And then what the files must say.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PodSpec } from 'kubernetes-models/v1/PodSpec';
import { Service } from 'kubernetes-models/v1/Service';
import {
  batchJobDefaults, emitBatchJob, emitDeployment, emitInferenceService, emitPdb, inferenceServiceName, k8sFiles,
} from '../../generators/deploy/k8s.js';
import type { DeployOptions } from '../../generators/deploy/options.js';
import { compileServerToDir } from '../../src/server-api.js';
import { removeTempDirs, tempDir } from './support/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SNAPSHOTS = join(ROOT, 'test', 'server', 'snapshots');
const MLP = join(ROOT, 'fixtures', 'onnx', 'mlp', 'model.onnx');

type Obj = Record<string, unknown>;

const DEPLOY: DeployOptions = {
  compiler: 'mlcompile 0.1.0',
  appName: 'iris',
  port: 8080,
  models: [{ name: 'iris', version: '1', format: 'onnx', sha256: '0'.repeat(64), inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4], type: 'float32' }], outputs: [] }],
  latest: new Map([['iris', '1']]),
};

/** Kubernetes kinds: the kubernetes-models class that validates them, and the module and interface that type them. */
const KINDS: Readonly<Record<string, { readonly validate: (o: Obj) => void; readonly module: string; readonly type: string }>> = {
  'apps/v1/Deployment': { validate: (o) => new Deployment(o as never).validate(), module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'v1/Service': { validate: (o) => new Service(o as never).validate(), module: 'kubernetes-models/v1/Service', type: 'IService' },
  'autoscaling/v2/HorizontalPodAutoscaler': { validate: (o) => new HorizontalPodAutoscaler(o as never).validate(), module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', type: 'IHorizontalPodAutoscaler' },
  'policy/v1/PodDisruptionBudget': { validate: (o) => new PodDisruptionBudget(o as never).validate(), module: 'kubernetes-models/policy/v1/PodDisruptionBudget', type: 'IPodDisruptionBudget' },
  'batch/v1/Job': { validate: (o) => new Job(o as never).validate(), module: 'kubernetes-models/batch/v1/Job', type: 'IJob' },
};
const POD_SPEC = { validate: (o: Obj) => new PodSpec(o as never).validate(), module: 'kubernetes-models/v1/PodSpec', type: 'IPodSpec' };

interface Typed {
  readonly what: string;
  readonly module: string;
  readonly type: string;
  readonly value: unknown;
}

/**
 * TypeScript's errors for `const v: <type> = <value as a literal>` for each item, in one
 * program (an in-memory file beside this one, so that node_modules resolves as usual).
 */
function typeErrors(items: readonly Typed[]): string[] {
  const file = join(ROOT, 'test', 'server', '__k8s_types__.ts');
  const source = items.map((it, i) => `import type { ${it.type} as T${i} } from ${JSON.stringify(it.module)};\nexport const v${i}: T${i} = ${JSON.stringify(it.value, null, 1)};\n`).join('');
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const line = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    // Which item: the last `export const vN` at or above the line.
    const lines = source.split('\n').slice(0, line + 1);
    const at = lines.map((l) => /^export const v(\d+)/.exec(l)).filter((m) => m !== null).pop();
    return `${at === undefined ? '?' : items[Number(at[1])].what}: ${message}`;
  });
}

/** Errors from kubernetes-models' validator (empty when the object conforms). */
function schemaErrors(validate: (o: Obj) => void, o: Obj): string[] {
  try {
    validate(o);
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

function kindOf(o: Obj): string {
  return `${String(o.apiVersion)}/${String(o.kind)}`;
}

function parseOne(text: string, what: string): Obj {
  const docs = parseAllDocuments(text);
  assert.ok(Array.isArray(docs) && docs.length === 1, `${what}: one YAML document`);
  const doc = docs[0];
  assert.deepEqual(doc.errors, [], `${what}: YAML errors`);
  return doc.toJS() as Obj;
}

function at(o: unknown, path: string): unknown {
  let v = o;
  for (const p of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[/^\d+$/.test(p) ? Number(p) : p];
  return v;
}

function snapshot(name: string, text: string): void {
  const file = join(SNAPSHOTS, name);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) {
    mkdirSync(SNAPSHOTS, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.equal(text, readFileSync(file, 'utf8'), `${name} differs from its snapshot (UPDATE_SNAPSHOTS=1 to accept)`);
}

// ---- KServe InferenceService: structural check from the v1beta1 API reference ----

/** PredictorSpec's model-format predictors ("exactly one" of these, `model`, or a custom container). */
const KSERVE_FORMATS = ['sklearn', 'xgboost', 'tensorflow', 'pytorch', 'triton', 'onnx', 'huggingface', 'pmml', 'lightgbm', 'paddle', 'model'];
/** ComponentExtensionSpec, inline in PredictorSpec. */
const KSERVE_EXTENSION = ['minReplicas', 'maxReplicas', 'scaleTarget', 'scaleMetric', 'containerConcurrency', 'timeout', 'canaryTrafficPercent', 'logger', 'batcher', 'labels', 'annotations', 'deploymentStrategy'];
const KSERVE_OTHER = ['storageUris', 'workerSpec'];
/** The InferenceService name: lower-case alphanumerics or '-', starting with a letter (KServe's validation). */
const KSERVE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Problems of an InferenceService meant to run this server as a custom V2 predictor; its PodSpec part is returned for schema checks. */
function checkInferenceService(o: Obj): { problems: string[]; podSpec: Obj } {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  need(o.apiVersion === 'serving.kserve.io/v1beta1', 'apiVersion is serving.kserve.io/v1beta1');
  need(o.kind === 'InferenceService', 'kind is InferenceService');
  need(Object.keys(o).every((k) => ['apiVersion', 'kind', 'metadata', 'spec'].includes(k)), 'only apiVersion, kind, metadata, spec at the top');
  const name = at(o, 'metadata.name');
  need(typeof name === 'string' && KSERVE_NAME.test(name) && name.length <= 63, `metadata.name ${JSON.stringify(name)} is a valid InferenceService name`);
  const spec = (o.spec ?? {}) as Obj;
  need(Object.keys(spec).every((k) => ['predictor', 'transformer', 'explainer'].includes(k)), 'spec holds only predictor, transformer, explainer');
  const predictor = (spec.predictor ?? {}) as Obj;
  need(spec.predictor !== undefined, 'spec.predictor is required');
  const podKeys = Object.keys(predictor).filter((k) => !KSERVE_FORMATS.includes(k) && !KSERVE_EXTENSION.includes(k) && !KSERVE_OTHER.includes(k));
  const podSpec = Object.fromEntries(podKeys.map((k) => [k, predictor[k]]));
  const formats = KSERVE_FORMATS.filter((k) => predictor[k] !== undefined);
  const containers = (predictor.containers ?? []) as Obj[];
  // Exactly one implementation: a custom container (named kserve-container, or the first) and no model format.
  need(formats.length === 0, `a custom predictor has no model-format predictor (found ${formats.join(', ')})`);
  need(containers.length === 1 && containers[0].name === 'kserve-container', 'one container, named kserve-container');
  const env = (containers[0]?.env ?? []) as Obj[];
  const protocol = env.find((e) => e.name === 'PROTOCOL');
  need(protocol?.value === 'v2', 'the custom predictor declares PROTOCOL=v2 (KServe accepts v1 or v2)');
  need(!env.some((e) => e.name === 'PORT'), 'no PORT variable (Knative sets it from containerPort)');
  const ports = (containers[0]?.ports ?? []) as Obj[];
  need(ports.length === 1, 'exactly one container port (Knative serves one)');
  const port = ports[0]?.containerPort;
  for (const probe of ['readinessProbe', 'livenessProbe']) {
    const p = containers[0]?.[probe] as Obj | undefined;
    if (p === undefined) continue;
    const probePort = at(p, 'httpGet.port');
    need(probePort === undefined || probePort === port, `${probe} port is the container port (Knative)`);
  }
  const int = (k: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = predictor[k];
    need(v === undefined || (Number.isInteger(v) && (v as number) >= min && (v as number) <= max), `predictor.${k} is an integer from ${min}`);
  };
  int('minReplicas', 0);
  int('maxReplicas', 0);
  int('scaleTarget', 1);
  int('containerConcurrency', 0);
  int('timeout', 1);
  int('canaryTrafficPercent', 0, 100);
  const min = (predictor.minReplicas ?? 1) as number;
  const max = (predictor.maxReplicas ?? 0) as number;
  need(max === 0 || min <= max, 'minReplicas <= maxReplicas');
  need(predictor.scaleMetric === undefined || ['cpu', 'memory', 'concurrency', 'rps'].includes(predictor.scaleMetric as string), 'scaleMetric is cpu, memory, concurrency or rps');
  for (const k of ['labels', 'annotations']) {
    const m = predictor[k];
    need(m === undefined || (typeof m === 'object' && m !== null && Object.values(m).every((v) => typeof v === 'string')), `predictor.${k} maps strings to strings`);
  }
  const annotations = (at(o, 'metadata.annotations') ?? {}) as Obj;
  need(Object.values(annotations).every((v) => typeof v === 'string'), 'metadata.annotations are strings');
  return { problems, podSpec };
}

// ---- the compiled directory ----

let dir: string;
let files: Record<string, Obj>;

before(async () => {
  dir = join(tempDir('mlc-k8s-'), 'srv');
  await compileServerToDir(MLP, dir, { name: 'mlp' });
  files = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[relative(dir, p)] = parseOne(readFileSync(p, 'utf8'), relative(dir, p));
    }
  };
  walk(join(dir, 'k8s'));
});

after(() => removeTempDirs());

test('DIR/k8s/ holds the serving objects, the batch Job and the KServe predictor', () => {
  assert.deepEqual(Object.keys(files).sort(), [
    'k8s/batch/job.yaml', 'k8s/deployment.yaml', 'k8s/hpa.yaml', 'k8s/kserve/inferenceservice.yaml', 'k8s/pdb.yaml', 'k8s/service.yaml',
  ]);
  // `kubectl apply -f k8s/` (not recursive) applies the serving objects only.
  const top = Object.keys(files).filter((f) => dirname(f) === 'k8s').map((f) => String(files[f].kind)).sort();
  assert.deepEqual(top, ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
});

test('every Kubernetes object validates against the Kubernetes API schemas (kubernetes-models) and types (no unknown fields)', () => {
  const typed: Typed[] = [];
  for (const [file, o] of Object.entries(files)) {
    if (o.kind === 'InferenceService') continue;
    const kind = KINDS[kindOf(o)];
    assert.ok(kind !== undefined, `${file}: ${kindOf(o)} is not a kind this test knows`);
    assert.deepEqual(schemaErrors(kind.validate, o), [], `${file} against the ${kindOf(o)} schema`);
    typed.push({ what: file, module: kind.module, type: kind.type, value: o });
  }
  const isvc = checkInferenceService(files['k8s/kserve/inferenceservice.yaml']);
  assert.deepEqual(schemaErrors(POD_SPEC.validate, isvc.podSpec), [], 'the InferenceService predictor\'s PodSpec against the core/v1 PodSpec schema');
  typed.push({ what: 'k8s/kserve/inferenceservice.yaml (predictor PodSpec)', module: POD_SPEC.module, type: POD_SPEC.type, value: isvc.podSpec });
  assert.deepEqual(typeErrors(typed), []);
});

test('the checks are not vacuous: a wrong type, a misspelt field, a missing field and a KServe mistake are caught', () => {
  const job = structuredClone(files['k8s/batch/job.yaml']) as Obj;
  (job.spec as Obj).completions = '4';
  assert.match(schemaErrors(KINDS['batch/v1/Job'].validate, job).join('\n'), /completions must be integer/);
  const deployment = structuredClone(files['k8s/deployment.yaml']) as Obj;
  delete (at(deployment, 'spec') as Obj).selector;
  assert.match(schemaErrors(KINDS['apps/v1/Deployment'].validate, deployment).join('\n'), /selector/);
  const typo = structuredClone(files['k8s/deployment.yaml']) as Obj;
  const container = at(typo, 'spec.template.spec.containers.0') as Obj;
  container.readinessprobe = container.readinessProbe;
  const errors = typeErrors([{ what: 'typo', module: KINDS['apps/v1/Deployment'].module, type: 'IDeployment', value: typo }]);
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /readinessprobe/);
  const isvc = structuredClone(files['k8s/kserve/inferenceservice.yaml']) as Obj;
  const predictor = at(isvc, 'spec.predictor') as Obj;
  predictor.model = { modelFormat: { name: 'onnx' }, protocolVersion: 'v2' };
  predictor.minReplicas = 3;
  predictor.maxReplicas = 2;
  const problems = checkInferenceService(isvc).problems.join('\n');
  assert.match(problems, /no model-format predictor/);
  assert.match(problems, /minReplicas <= maxReplicas/);
});

test('Deployment, Service, HPA and PDB agree with each other and with the server', () => {
  const d = files['k8s/deployment.yaml'];
  const podLabels = at(d, 'spec.template.metadata.labels') as Obj;
  const selects = (selector: Obj) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
  assert.ok(selects(at(d, 'spec.selector.matchLabels') as Obj), 'the Deployment selects its own pods');
  const c = at(d, 'spec.template.spec.containers.0') as Obj;
  assert.deepEqual(c.ports, [{ name: 'http', containerPort: 8080 }]);
  assert.equal(at(c, 'readinessProbe.httpGet.path'), '/v2/health/ready');
  assert.equal(at(c, 'livenessProbe.httpGet.path'), '/v2/health/live');
  assert.equal(at(c, 'startupProbe.httpGet.path'), '/v2/health/live');
  assert.deepEqual(c.resources, { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '512Mi' } });
  assert.deepEqual((c.env as Obj[]).find((e) => e.name === 'LOG_LEVEL'), { name: 'LOG_LEVEL', value: 'info' });
  // The drain (SIGTERM → fastify close) fits in the grace period after the preStop pause.
  assert.ok((at(d, 'spec.template.spec.terminationGracePeriodSeconds') as number) > 5);
  assert.equal(at(d, 'spec.template.spec.securityContext.runAsNonRoot'), true);
  assert.equal(at(d, 'spec.strategy.rollingUpdate.maxUnavailable'), 0);

  const s = files['k8s/service.yaml'];
  assert.ok(selects(at(s, 'spec.selector') as Obj), 'the Service selects the Deployment\'s pods');
  assert.equal(at(s, 'spec.ports.0.targetPort'), 'http');
  const h = files['k8s/hpa.yaml'];
  assert.deepEqual(at(h, 'spec.scaleTargetRef'), { apiVersion: 'apps/v1', kind: 'Deployment', name: at(d, 'metadata.name') });
  assert.ok((at(h, 'spec.minReplicas') as number) <= (at(h, 'spec.maxReplicas') as number));
  const p = files['k8s/pdb.yaml'];
  assert.ok(selects(at(p, 'spec.selector.matchLabels') as Obj), 'the PDB covers the Deployment\'s pods');
  assert.equal(at(p, 'spec.maxUnavailable'), 1);
  assert.ok((at(h, 'spec.minReplicas') as number) > (at(p, 'spec.maxUnavailable') as number), 'a drain leaves a pod serving');
});

/** Kubernetes' expansion of $(VAR) in command and args, from the container's env (values only). */
function expand(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string) => env[name] ?? m);
}

test('the batch Job: Indexed, sharded by JOB_COMPLETION_INDEX and BATCH_SHARDS, data on a volume, pods outside the Service', () => {
  const j = files['k8s/batch/job.yaml'];
  assert.equal(at(j, 'spec.completionMode'), 'Indexed');
  assert.equal(at(j, 'spec.completions'), 4);
  assert.equal(at(j, 'spec.parallelism'), 4);
  assert.equal(at(j, 'spec.template.spec.restartPolicy'), 'Never');
  const c = at(j, 'spec.template.spec.containers.0') as Obj;
  const env = c.env as Obj[];
  const index = env.find((e) => e.name === 'JOB_COMPLETION_INDEX');
  assert.equal(at(index, 'valueFrom.fieldRef.fieldPath'), "metadata.annotations['batch.kubernetes.io/job-completion-index']");
  assert.deepEqual(env.find((e) => e.name === 'BATCH_SHARDS'), { name: 'BATCH_SHARDS', value: '4' });
  const command = c.command as string[];
  assert.deepEqual(command, ['node', 'server.mjs', 'batch', '--model', 'mlp', '--input', '/data/input.jsonl', '--output', '/data/predictions.jsonl.part-$(JOB_COMPLETION_INDEX)', '--shard', 'auto']);
  // Pod 3 writes its own part: the variable is declared in env, so Kubernetes expands it.
  assert.equal(expand(command[8], { JOB_COMPLETION_INDEX: '3' }), '/data/predictions.jsonl.part-3');
  assert.deepEqual(c.volumeMounts, [{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }]);
  const volumes = at(j, 'spec.template.spec.volumes') as Obj[];
  assert.deepEqual(volumes[0], { name: 'data', persistentVolumeClaim: { claimName: 'mlp-batch-data' } });
  // The Job's pods do not answer HTTP: no Service, PDB or Deployment selector may pick them.
  const jobPodLabels = at(j, 'spec.template.metadata.labels') as Obj;
  for (const [file, path] of [['k8s/service.yaml', 'spec.selector'], ['k8s/pdb.yaml', 'spec.selector.matchLabels'], ['k8s/deployment.yaml', 'spec.selector.matchLabels']] as const) {
    const selector = at(files[file], path) as Obj;
    assert.ok(!Object.entries(selector).every(([k, v]) => jobPodLabels[k] === v), `${file} must not select the batch pods`);
  }
});

test('the batch Job takes completions, parallelism, files and claim as parameters; BATCH_SHARDS follows completions', () => {
  const text = emitBatchJob(DEPLOY, { ...batchJobDefaults(DEPLOY), completions: 16, parallelism: 3, input: 'big.csv', output: 'out.csv', claimName: 'shared' });
  const j = parseOne(text, 'job');
  assert.deepEqual(schemaErrors(KINDS['batch/v1/Job'].validate, j), []);
  assert.equal(at(j, 'spec.completions'), 16);
  assert.equal(at(j, 'spec.parallelism'), 3);
  const c = at(j, 'spec.template.spec.containers.0') as Obj;
  assert.deepEqual((c.env as Obj[]).find((e) => e.name === 'BATCH_SHARDS'), { name: 'BATCH_SHARDS', value: '16' });
  assert.deepEqual((c.command as string[]).slice(5, 9), ['--input', '/data/big.csv', '--output', '/data/out.csv.part-$(JOB_COMPLETION_INDEX)']);
  assert.equal(at(j, 'spec.template.spec.volumes.0.persistentVolumeClaim.claimName'), 'shared');
});

test('the KServe InferenceService: a custom predictor speaking V2 on 8080 (structural check from the KServe API reference)', () => {
  const o = files['k8s/kserve/inferenceservice.yaml'];
  assert.deepEqual(checkInferenceService(o).problems, []);
  const c = at(o, 'spec.predictor.containers.0') as Obj;
  assert.equal(c.image, 'mlp-server:latest');
  assert.deepEqual(c.ports, [{ containerPort: 8080, protocol: 'TCP' }]);
  assert.equal(at(c, 'readinessProbe.httpGet.path'), '/v2/health/ready');
  assert.equal(at(o, 'metadata.annotations')?.constructor, Object);
  assert.equal((at(o, 'metadata.annotations') as Obj)['prometheus.kserve.io/path'], '/metrics');
  // KServe wants a name that starts with a letter; model names may start with a digit.
  assert.equal(inferenceServiceName({ ...DEPLOY, appName: '3layer' }), 'm-3layer');
  assert.deepEqual(checkInferenceService(parseOne(emitInferenceService({ ...DEPLOY, appName: '3layer' }), 'isvc')).problems, []);
});

test('generated manifests (snapshots)', () => {
  const all = k8sFiles(DEPLOY);
  assert.equal(all['k8s/deployment.yaml'], emitDeployment(DEPLOY));
  snapshot('pdb.yaml', emitPdb(DEPLOY));
  snapshot('batch-job.yaml', all['k8s/batch/job.yaml']);
  snapshot('inferenceservice.yaml', all['k8s/kserve/inferenceservice.yaml']);
});
