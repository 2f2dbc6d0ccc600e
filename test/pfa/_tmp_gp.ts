import { loadEngine, runAction, sameJson } from '../conformance/pfa-case.js';
import { familyTests } from './support/direct.js';
const counts: Record<string, number> = {};
for (const t of familyTests('model.reg')) {
  if (t.function !== 'model.reg.gaussianProcess') continue;
  const e = loadEngine(JSON.stringify(t.engine), t.id);
  const eng = e.create();
  for (const tr of t.trials) {
    if (tr.result === undefined) continue;
    const out = runAction(e, eng, tr.sample);
    const kw = JSON.stringify((tr.sample as Record<string, unknown>).krigingWeight);
    const key = `${t.id} kw=${kw === 'null' || kw === undefined ? 'null' : 'num'} ${out.ok ? (sameJson(tr.result, out.value, false) ? 'same' : 'differs') : 'error'}`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (out.ok && !sameJson(tr.result, out.value, false) && counts[key] <= 2) console.log(t.id, JSON.stringify(tr.sample).slice(0, 150), 'exp', JSON.stringify(tr.result), 'got', JSON.stringify(out.value));
  }
}
console.log(counts);
