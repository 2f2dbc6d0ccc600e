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
