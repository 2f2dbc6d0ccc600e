// Worker thread: runs PMML conformance cases sent by pmml-runner.ts, one at a time.
import { parentPort } from 'node:worker_threads';
import { runPmmlCase, type PmmlCaseSpec } from './pmml-case.js';

parentPort?.on('message', (spec: PmmlCaseSpec) => {
  void runPmmlCase(spec).then(
    (r) => parentPort?.postMessage(r),
    (e: unknown) => parentPort?.postMessage({ name: spec.name, status: 'fail', reason: `runner error: ${String(e)}`, ms: 0 }),
  );
});
