// Worker thread: runs conformance cases sent by onnx-runner.ts, one at a time.
import { parentPort } from 'node:worker_threads';
import { runCase, type CaseSpec } from './onnx-case.js';

parentPort?.on('message', (msg: { spec: CaseSpec; optimize: boolean }) => {
  void runCase(msg.spec, msg.optimize).then(
    (r) => parentPort?.postMessage(r),
    (e: unknown) => parentPort?.postMessage({ name: msg.spec.name, status: 'fail', reason: `runner error: ${String(e)}`, ms: 0 }),
  );
});
