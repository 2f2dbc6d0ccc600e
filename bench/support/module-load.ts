// Cold-start timing of a generated module, shared by the benches: in a fresh node
// process, import() the module, then run() it twice (the first call runs cold code).

import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export interface LoadTimes {
  /** Milliseconds per fresh process, one entry per run. */
  readonly importMs: number[];
  readonly firstRunMs: number[];
  readonly secondRunMs: number[];
}

/**
 * Times `runs` fresh processes. `feedSource` is JavaScript that declares `const feed = ...`
 * (the argument of run()). Returns the first line of the error when a process fails.
 */
export function timeModuleLoad(file: string, feedSource: string, runs: number): LoadTimes | { readonly error: string } {
  const script = `
    ${feedSource}
    const t0 = performance.now();
    const m = await import(${JSON.stringify(pathToFileURL(file).href)});
    const t1 = performance.now();
    m.run(feed);
    const t2 = performance.now();
    m.run(feed);
    const t3 = performance.now();
    console.log(JSON.stringify([t1 - t0, t2 - t1, t3 - t2]));`;
  const times: LoadTimes = { importMs: [], firstRunMs: [], secondRunMs: [] };
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) return { error: (r.stderr || r.stdout || `exit ${r.status}`).split('\n')[0] };
    const [a, b, c] = JSON.parse(r.stdout) as number[];
    times.importMs.push(a);
    times.firstRunMs.push(b);
    times.secondRunMs.push(c);
  }
  return times;
}

export interface OrtLoadTimes {
  /** Milliseconds per fresh process: import of onnxruntime-node, session creation, first run. */
  readonly importMs: number[];
  readonly sessionMs: number[];
  readonly firstRunMs: number[];
}

/**
 * onnxruntime-node's cold start, measured like timeModuleLoad: in `runs` fresh node
 * processes (one thread), import the package, create the session, run the feed once.
 * `feedJsonFile` holds `{ name: { type: 'float32', dims, data: number[] } }`.
 */
export function timeOrtNodeLoad(modelPath: string, feedJsonFile: string, runs: number): OrtLoadTimes | { readonly error: string } {
  const script = `
    const { readFileSync } = await import('node:fs');
    const raw = JSON.parse(readFileSync(${JSON.stringify(feedJsonFile)}, 'utf8'));
    const t0 = performance.now();
    const ort = await import('onnxruntime-node');
    const t1 = performance.now();
    const session = await ort.InferenceSession.create(${JSON.stringify(modelPath)}, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const t2 = performance.now();
    const feed = {};
    for (const [k, v] of Object.entries(raw)) feed[k] = new ort.Tensor(v.type, Float32Array.from(v.data), v.dims);
    await session.run(feed);
    const t3 = performance.now();
    console.log(JSON.stringify([t1 - t0, t2 - t1, t3 - t2]));`;
  const times: OrtLoadTimes = { importMs: [], sessionMs: [], firstRunMs: [] };
  for (let i = 0; i < runs; i++) {
    // Resolve onnxruntime-node from the repository, whatever the current directory.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000, cwd: new URL('../..', import.meta.url) });
    if (r.status !== 0) return { error: (r.stderr || r.stdout || `exit ${r.status}`).split('\n')[0] };
    const [a, b, c] = JSON.parse(r.stdout) as number[];
    times.importMs.push(a);
    times.sessionMs.push(b);
    times.firstRunMs.push(c);
  }
  return times;
}
