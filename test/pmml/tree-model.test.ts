// TreeModel: scores, ScoreDistribution probabilities/confidences, entity ids, noTrueChildStrategy,
// every missingValueStrategy (with missingValuePenalty, surrogates) and compile-time errors.
// Expected values are worked out by hand from the PMML 4.4 TreeModel specification.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';
import { treeModel } from '../../runtime/pmml/models/tree.js';
import type { El, ModelCompiler, ModelResult } from '../../runtime/pmml/types.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compileXml(xml: string, list: readonly ModelCompiler[] = compilers) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, list);
}

function near(actual: unknown, expected: number, tol = 1e-12): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

const CLASS_OUTPUT = `<Output>
  <OutputField name="predicted" optype="categorical" dataType="string" feature="predictedValue"/>
  <OutputField name="pA" optype="continuous" dataType="double" feature="probability" value="A"/>
  <OutputField name="pB" optype="continuous" dataType="double" feature="probability" value="B"/>
  <OutputField name="confidence" optype="continuous" dataType="double" feature="confidence"/>
  <OutputField name="node" optype="categorical" dataType="string" feature="entityId"/>
</Output>`;

/** A classification TreeModel document over x, y with target class (A, B). */
function classDoc(attrs: string, nodes: string): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
    <DataField name="class" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/></DataField>
  </DataDictionary>
  <TreeModel functionName="classification" ${attrs}>
    <MiningSchema><MiningField name="x"/><MiningField name="y"/><MiningField name="class" usageType="target"/></MiningSchema>
    ${CLASS_OUTPUT}
    ${nodes}
  </TreeModel>
</PMML>`;
}

function regDoc(attrs: string, nodes: string): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
    <DataField name="t" optype="continuous" dataType="double"/>
  </DataDictionary>
  <TreeModel functionName="regression" ${attrs}>
    <MiningSchema><MiningField name="x"/><MiningField name="y"/><MiningField name="t" usageType="target"/></MiningSchema>
    <Output>
      <OutputField name="predicted" optype="continuous" dataType="double" feature="predictedValue"/>
      <OutputField name="node" optype="categorical" dataType="string" feature="entityId"/>
    </Output>
    ${nodes}
  </TreeModel>
</PMML>`;
}

function sd(a: number, b: number, conf?: [number, number]): string {
  const c = (v: number | undefined) => (v === undefined ? '' : ` confidence="${v}"`);
  return `<ScoreDistribution value="A" recordCount="${a}"${c(conf?.[0])}/><ScoreDistribution value="B" recordCount="${b}"${c(conf?.[1])}/>`;
}

/**
 * The tree of the fixture tree-missing-strategies: root (A 54, B 46) → L (x<5; A 48, B 22) → LL (y<3; A 36, B 4),
 * LR (y>=3; A 12, B 18); root → R (x>=5; A 6, B 24). Confidence attributes equal the ratios when `conf`.
 */
function fourNodes(opts: { conf?: boolean; rootDefault?: string; lDefault?: string } = {}): string {
  const k = (a: number, b: number) => (opts.conf ? sd(a, b, [a / (a + b), b / (a + b)]) : sd(a, b));
  const rd = opts.rootDefault ? ` defaultChild="${opts.rootDefault}"` : '';
  const ld = opts.lDefault ? ` defaultChild="${opts.lDefault}"` : '';
  return `<Node id="root" score="A" recordCount="100"${rd}><True/>${k(54, 46)}
    <Node id="L" score="A" recordCount="70"${ld}><SimplePredicate field="x" operator="lessThan" value="5"/>${k(48, 22)}
      <Node id="LL" score="A" recordCount="40"><SimplePredicate field="y" operator="lessThan" value="3"/>${k(36, 4)}</Node>
      <Node id="LR" score="B" recordCount="30"><SimplePredicate field="y" operator="greaterOrEqual" value="3"/>${k(12, 18)}</Node>
    </Node>
    <Node id="R" score="B" recordCount="30"><SimplePredicate field="x" operator="greaterOrEqual" value="5"/>${k(6, 24)}</Node>
  </Node>`;
}

function expectRow(out: Record<string, unknown>, predicted: string | null, pA: number | null, conf: number | null, node: string | null): void {
  assert.equal(out.predicted, predicted);
  if (pA === null) {
    assert.equal(out.pA, null);
    assert.equal(out.pB, null);
  } else {
    near(out.pA, pA);
    near(out.pB, 1 - pA);
  }
  if (conf === null) assert.equal(out.confidence, null);
  else near(out.confidence, conf);
  assert.equal(out.node, node);
}

test('classification: score, probabilities from record counts, confidences, entity ids', () => {
  const doc = compileXml(classDoc('', fourNodes()));
  expectRow(doc.score({ x: 2, y: 1 }), 'A', 0.9, 0.9, 'LL');
  expectRow(doc.score({ x: 2, y: 4 }), 'B', 0.4, 0.6, 'LR');
  expectRow(doc.score({ x: 9, y: 4 }), 'B', 0.2, 0.8, 'R');
  // Strings are converted by the field's data type.
  expectRow(doc.score({ x: '9', y: '4' }), 'B', 0.2, 0.8, 'R');
});

test('classification: probability attributes win over record counts and are normalised; nodes without id get their 1-based document position', () => {
  const nodes = `<Node score="A"><True/>
    <Node score="A"><SimplePredicate field="x" operator="lessThan" value="0"/>
      <ScoreDistribution value="A" recordCount="1" probability="0.6" confidence="0.5"/>
      <ScoreDistribution value="B" recordCount="9" probability="0.2" confidence="0.25"/>
    </Node>
    <Node score="B"><True/><ScoreDistribution value="B" recordCount="3"/></Node>
  </Node>`;
  const doc = compileXml(classDoc('', nodes));
  const neg = doc.score({ x: -1 });
  assert.equal(neg.predicted, 'A');
  near(neg.pA, 0.75); // 0.6 / (0.6 + 0.2)
  near(neg.pB, 0.25);
  near(neg.confidence, 0.5);
  assert.equal(neg.node, '2');
  const pos = doc.score({ x: 1 });
  assert.equal(pos.predicted, 'B');
  assert.equal(pos.pA, 0); // a category absent from the ScoreDistribution has probability 0
  near(pos.pB, 1);
  assert.equal(pos.node, '3');
});

test('classification: a node without score predicts its most probable category; a node without ScoreDistribution votes for its score', () => {
  const nodes = `<Node><True/>
    <Node><SimplePredicate field="x" operator="lessThan" value="0"/>${sd(1, 3)}</Node>
    <Node score="A"><True/></Node>
  </Node>`;
  const doc = compileXml(classDoc('', nodes));
  const a = doc.score({ x: -1 });
  assert.equal(a.predicted, 'B');
  near(a.pB, 0.75);
  const b = doc.score({ x: 1 });
  assert.equal(b.predicted, 'A');
  near(b.pA, 1);
  near(b.pB, 0);
});

test('classification: the score is converted to the target data type (integer categories)', () => {
  const xml = `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="k" optype="categorical" dataType="integer"><Value value="0"/><Value value="1"/></DataField>
  </DataDictionary>
  <TreeModel functionName="classification">
    <MiningSchema><MiningField name="x"/><MiningField name="k" usageType="target"/></MiningSchema>
    <Node score="0"><True/>
      <Node score="1.0"><SimplePredicate field="x" operator="greaterThan" value="0"/>
        <ScoreDistribution value="0" recordCount="1"/><ScoreDistribution value="1.0" recordCount="3"/>
      </Node>
    </Node>
  </TreeModel>
</PMML>`;
  const doc = compileXml(xml);
  const out = doc.score({ x: 1 });
  assert.equal(out.k, 1);
  near(out['probability(1)'], 0.75);
  near(out['probability(0)'], 0.25);
});

test('regression: numeric scores; noTrueChildStrategy returnNullPrediction and returnLastPrediction', () => {
  const nodes = `<Node id="r" score="10"><True/>
    <Node id="a" score="1.5"><SimplePredicate field="x" operator="lessThan" value="0"/></Node>
    <Node id="b" score="2.5"><SimplePredicate field="x" operator="greaterThan" value="5"/></Node>
  </Node>`;
  const nul = compileXml(regDoc('', nodes));
  assert.deepEqual(nul.score({ x: -1 }), { predicted: 1.5, node: 'a' });
  assert.deepEqual(nul.score({ x: 6 }), { predicted: 2.5, node: 'b' });
  assert.deepEqual(nul.score({ x: 3 }), { predicted: null, node: null });
  const last = compileXml(regDoc('noTrueChildStrategy="returnLastPrediction"', nodes));
  assert.deepEqual(last.score({ x: 3 }), { predicted: 10, node: 'r' });
  // A root predicate that is not true gives no prediction, whatever the strategy.
  const falseRoot = compileXml(regDoc('noTrueChildStrategy="returnLastPrediction"', '<Node score="1"><False/></Node>'));
  assert.deepEqual(falseRoot.score({ x: 3 }), { predicted: null, node: null });
  // returnLastPrediction from a node without score: no prediction.
  const noScore = compileXml(regDoc('noTrueChildStrategy="returnLastPrediction"', `<Node><True/><Node score="1"><False/></Node></Node>`));
  assert.deepEqual(noScore.score({ x: 3 }), { predicted: null, node: null });
});

test('missingValueStrategy none: an UNKNOWN child counts as false and the next siblings are tried', () => {
  const nodes = `<Node id="r" score="0"><True/>
    <Node id="lt" score="1"><SimplePredicate field="x" operator="lessThan" value="0"/></Node>
    <Node id="miss" score="2"><SimplePredicate field="x" operator="isMissing"/></Node>
    <Node id="ge" score="3"><SimplePredicate field="x" operator="greaterOrEqual" value="0"/></Node>
  </Node>`;
  const doc = compileXml(regDoc('missingValueStrategy="none"', nodes));
  assert.deepEqual(doc.score({ x: null }), { predicted: 2, node: 'miss' });
  assert.deepEqual(doc.score({ x: 4 }), { predicted: 3, node: 'ge' });
});

test('missingValueStrategy lastPrediction stops at the node whose child is UNKNOWN; nullPrediction gives no prediction', () => {
  const last = compileXml(classDoc('missingValueStrategy="lastPrediction"', fourNodes()));
  expectRow(last.score({ x: null, y: 1 }), 'A', 0.54, 0.54, 'root');
  expectRow(last.score({ x: 2, y: null }), 'A', 48 / 70, 48 / 70, 'L');
  expectRow(last.score({ x: 7, y: null }), 'B', 0.2, 0.8, 'R');
  const nul = compileXml(classDoc('missingValueStrategy="nullPrediction"', fourNodes()));
  expectRow(nul.score({ x: null, y: 1 }), null, null, null, null);
  expectRow(nul.score({ x: 2, y: null }), null, null, null, null);
  expectRow(nul.score({ x: 2, y: 1 }), 'A', 0.9, 0.9, 'LL');
});

test('missingValueStrategy defaultChild with missingValuePenalty: confidences × penalty per default taken', () => {
  const doc = compileXml(classDoc('missingValueStrategy="defaultChild" missingValuePenalty="0.8"', fourNodes({ conf: true, rootDefault: 'L', lDefault: 'LR' })));
  expectRow(doc.score({ x: 2, y: 1 }), 'A', 0.9, 0.9, 'LL');
  expectRow(doc.score({ x: null, y: 1 }), 'A', 0.9, 0.72, 'LL');
  expectRow(doc.score({ x: null, y: null }), 'B', 0.4, 0.6 * 0.64, 'LR');
  expectRow(doc.score({ x: 2, y: null }), 'B', 0.4, 0.48, 'LR');
  // Without the penalty the precomputed node results are returned.
  const plain = compileXml(classDoc('missingValueStrategy="defaultChild"', fourNodes({ rootDefault: 'L', lDefault: 'LR' })));
  expectRow(plain.score({ x: null, y: null }), 'B', 0.4, 0.6, 'LR');
});

test('defaultChild: a split without defaultChild treats the UNKNOWN child as false', () => {
  const nodes = `<Node id="r" score="0"><True/>
    <Node id="a" score="1"><SimplePredicate field="x" operator="lessThan" value="0"/></Node>
    <Node id="b" score="2"><True/></Node>
  </Node>`;
  const doc = compileXml(regDoc('missingValueStrategy="defaultChild"', nodes));
  assert.deepEqual(doc.score({ x: null }), { predicted: 2, node: 'b' });
});

test('surrogate predicates count as missing values for missingValuePenalty', () => {
  const nodes = `<Node id="root" score="A"><True/>${sd(5, 5, [0.5, 0.5])}
    <Node id="lo" score="A">
      <CompoundPredicate booleanOperator="surrogate">
        <SimplePredicate field="x" operator="lessThan" value="0"/>
        <SimplePredicate field="y" operator="lessThan" value="0"/>
      </CompoundPredicate>${sd(8, 2, [0.8, 0.2])}
    </Node>
    <Node id="hi" score="B"><True/>${sd(1, 3, [0.25, 0.75])}</Node>
  </Node>`;
  const doc = compileXml(classDoc('missingValueStrategy="defaultChild" missingValuePenalty="0.5"', nodes));
  expectRow(doc.score({ x: -1, y: 5 }), 'A', 0.8, 0.8, 'lo'); // primary predicate decides
  expectRow(doc.score({ x: null, y: -1 }), 'A', 0.8, 0.4, 'lo'); // surrogate used: one penalty
  // The surrogate decided that "lo" is false, so "hi" was reached through a missing value too: one penalty.
  expectRow(doc.score({ x: null, y: 1 }), 'B', 0.25, 0.375, 'hi');
  expectRow(doc.score({ x: 1, y: null }), 'B', 0.25, 0.75, 'hi');
});

test('missingValueStrategy weightedConfidence: UNKNOWN children and their non-false siblings weighted by record share', () => {
  const doc = compileXml(classDoc('missingValueStrategy="weightedConfidence"', fourNodes({ conf: true })));
  expectRow(doc.score({ x: null, y: 1 }), 'A', 0.69, 0.69, null);
  expectRow(doc.score({ x: null, y: null }), 'A', 0.54, 0.54, null);
  expectRow(doc.score({ x: 2, y: null }), 'A', 4.8 / 7, 4.8 / 7, null);
  expectRow(doc.score({ x: 7, y: 1 }), 'B', 0.2, 0.8, 'R');
  expectRow(doc.score({ x: null, y: 5 }), 'B', 0.34, 0.66, null); // 0.7·(0.4, 0.6) + 0.3·(0.2, 0.8)
});

test('missingValueStrategy aggregateNodes: record counts of every leaf reachable are added', () => {
  const doc = compileXml(classDoc('missingValueStrategy="aggregateNodes"', fourNodes()));
  expectRow(doc.score({ x: null, y: 1 }), 'A', 0.6, 0.6, null); // LL + R = 42 : 28
  expectRow(doc.score({ x: 2, y: null }), 'A', 48 / 70, 48 / 70, null);
  expectRow(doc.score({ x: null, y: null }), 'A', 0.54, 0.54, null);
  expectRow(doc.score({ x: null, y: 5 }), 'B', 0.3, 0.7, null); // LR + R = 18 : 42
  expectRow(doc.score({ x: 2, y: 1 }), 'A', 0.9, 0.9, 'LL');
});

test('aggregateNodes stops at the first TRUE sibling; regression trees average the reachable scores', () => {
  const nodes = `<Node score="0" recordCount="10"><True/>
    <Node score="1" recordCount="2"><SimplePredicate field="x" operator="lessThan" value="0"/></Node>
    <Node score="2" recordCount="3"><SimplePredicate field="y" operator="lessThan" value="0"/></Node>
    <Node score="4" recordCount="5"><True/></Node>
  </Node>`;
  const agg = compileXml(regDoc('missingValueStrategy="aggregateNodes"', nodes));
  // x missing, y < 0: the first child is UNKNOWN, the second TRUE: nodes 1 and 2 weighted 2 : 3 (the third is never reached).
  near(agg.score({ x: null, y: -1 }).predicted, (2 * 1 + 3 * 2) / 5);
  // x missing, y >= 0: children 1 and 3: (2·1 + 5·4) / 7.
  near(agg.score({ x: null, y: 1 }).predicted, 22 / 7);
  const wc = compileXml(regDoc('missingValueStrategy="weightedConfidence"', nodes));
  near(wc.score({ x: null, y: null }).predicted, (2 * 1 + 3 * 2 + 5 * 4) / 10);
});

test('scoring reuses the precomputed node results (no allocation per row)', () => {
  const seen: ModelResult[] = [];
  const spy: ModelCompiler = {
    element: 'TreeModel',
    compile(el, ctx) {
      const f = treeModel.compile(el, ctx);
      return (env) => {
        const r = f(env);
        seen.push(r);
        return r;
      };
    },
  };
  const doc = compileXml(classDoc('', fourNodes()), [spy, ...compilers.filter((c) => c.element !== 'TreeModel')]);
  doc.score({ x: 2, y: 1 });
  doc.score({ x: 3, y: 0 });
  assert.equal(seen.length, 2);
  assert.equal(seen[0], seen[1]);
});

test('deep trees compile and score without recursion', () => {
  // A chain 20000 levels deep: level d (d >= 1) holds x > d; the leaf says "deep".
  const depth = 20000;
  const pred = (d: number): El => (d === 0 ? { n: 'True', a: {}, c: [] } : { n: 'SimplePredicate', a: { field: 'x', operator: 'greaterThan', value: String(d) }, c: [] });
  let node: El = { n: 'Node', a: { score: 'deep' }, c: [pred(depth)] };
  for (let d = depth - 1; d >= 0; d--) node = { n: 'Node', a: { score: 'A' }, c: [pred(d), node] };
  const root: El = {
    n: 'PMML',
    a: { version: '4.4' },
    c: [
      {
        n: 'DataDictionary', a: {}, c: [
          { n: 'DataField', a: { name: 'x', optype: 'continuous', dataType: 'double' }, c: [] },
          { n: 'DataField', a: { name: 'class', optype: 'categorical', dataType: 'string' }, c: [] },
        ],
      },
      {
        n: 'TreeModel', a: { functionName: 'classification', noTrueChildStrategy: 'returnLastPrediction' }, c: [
          { n: 'MiningSchema', a: {}, c: [{ n: 'MiningField', a: { name: 'x' }, c: [] }, { n: 'MiningField', a: { name: 'class', usageType: 'target' }, c: [] }] },
          node,
        ],
      },
    ],
  };
  const doc = compileDocument(root, compilers);
  assert.equal(doc.score({ x: 1e9 }).class, 'deep');
  assert.equal(doc.score({ x: 0.5 }).class, 'A');
});

test('compile errors name the element path', () => {
  const embedded = classDoc('', `<Node score="A"><True/><Regression functionName="regression"><RegressionTable intercept="0"/></Regression></Node>`);
  assert.throws(() => compileXml(embedded), (e: unknown) => e instanceof PmmlUnsupportedError && /PMML\/TreeModel\/Node\/Regression/.test(e.message));
  const badDefault = classDoc('missingValueStrategy="defaultChild"', `<Node id="r" score="A" defaultChild="nope"><True/><Node id="c" score="B"><True/></Node></Node>`);
  assert.throws(() => compileXml(badDefault), (e: unknown) => e instanceof PmmlCompileError && e.path === 'PMML/TreeModel/Node[id=r]' && /defaultChild="nope"/.test(e.message));
  const mixed = classDoc('', `<Node id="r" score="A"><True/><ScoreDistribution value="A" recordCount="1" probability="0.5"/><ScoreDistribution value="B" recordCount="1"/></Node>`);
  assert.throws(() => compileXml(mixed), (e: unknown) => e instanceof PmmlCompileError && e.path === 'PMML/TreeModel/Node[id=r]');
  const noPredicate = classDoc('', `<Node score="A"><True/><Node id="7" score="B"/></Node>`);
  assert.throws(() => compileXml(noPredicate), (e: unknown) => e instanceof PmmlCompileError && e.path === 'PMML/TreeModel/Node/Node[id=7]');
  const badScore = `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary><DataField name="x" optype="continuous" dataType="double"/><DataField name="t" optype="continuous" dataType="double"/></DataDictionary>
  <TreeModel functionName="regression"><MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>
    <Node score="1"><True/><Node id="q" score="high"><True/></Node></Node></TreeModel></PMML>`;
  assert.throws(() => compileXml(badScore), (e: unknown) => e instanceof PmmlCompileError && e.path === 'PMML/TreeModel/Node/Node[id=q]');
  assert.throws(() => compileXml(classDoc('missingValueStrategy="guess"', fourNodes())), PmmlUnsupportedError);
  assert.throws(() => compileXml(classDoc('missingValuePenalty="1.5"', fourNodes())), PmmlCompileError);
});

test('numeric SimplePredicates from the flat table decide like the compiled predicates', () => {
  // The same splits twice: as plain SimplePredicates (flat table) and wrapped in a one-element
  // CompoundPredicate (the predicate compiled by the core). Fields of several numeric types.
  const fields: [string, string, string][] = [['d', 'double', 'continuous'], ['f', 'float', 'continuous'], ['i', 'integer', 'continuous'], ['k', 'integer', 'categorical']];
  const splits: [string, string, string][] = [];
  for (const [name] of fields) {
    for (const op of ['lessThan', 'lessOrEqual', 'greaterThan', 'greaterOrEqual', 'equal', 'notEqual']) {
      for (const v of ['2', '2.5', '0.1', '-1e300']) splits.push([name, op, v]);
    }
    splits.push([name, 'isMissing', '']);
    splits.push([name, 'isNotMissing', '']);
  }
  const simple = (s: [string, string, string]) => `<SimplePredicate field="${s[0]}" operator="${s[1]}"${s[2] ? ` value="${s[2]}"` : ''}/>`;
  // Each tree scores 0, 1 or 2 and is weighted by 4^j: the weighted sum identifies every tree's leaf.
  const doc = (wrap: boolean, chunk: [string, string, string][]) => `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>${fields.map(([n, t, o]) => `<DataField name="${n}" optype="${o}" dataType="${t}"/>`).join('')}<DataField name="t" optype="continuous" dataType="double"/></DataDictionary>
  <MiningModel functionName="regression">
    <MiningSchema>${fields.map(([n]) => `<MiningField name="${n}"/>`).join('')}<MiningField name="t" usageType="target"/></MiningSchema>
    <Segmentation multipleModelMethod="weightedSum">
      ${chunk.map((s, j) => `<Segment weight="${4 ** j}"><True/><TreeModel functionName="regression" noTrueChildStrategy="returnLastPrediction">
        <MiningSchema>${fields.map(([n]) => `<MiningField name="${n}"/>`).join('')}<MiningField name="t" usageType="target"/></MiningSchema>
        <Node score="0"><True/>
          <Node score="1">${wrap ? `<CompoundPredicate booleanOperator="and">${simple(s)}</CompoundPredicate>` : simple(s)}</Node>
          <Node score="2"><SimplePredicate field="${s[0]}" operator="isMissing"/></Node>
        </Node></TreeModel></Segment>`).join('')}
    </Segmentation>
  </MiningModel>
</PMML>`;
  const values: unknown[] = [null, 2, '2', 2.5, 2.4999999, 0.1, '0.1', 3, -5, 1e300, -1e300, 'abc', 0];
  for (let at = 0; at < splits.length; at += 25) {
    const chunk = splits.slice(at, at + 25);
    const flat = compileXml(doc(false, chunk));
    const closures = compileXml(doc(true, chunk));
    for (const a of values) {
      for (const b of values) {
        const rec = { d: a, f: a, i: b, k: b };
        assert.deepEqual(flat.score(rec), closures.score(rec), JSON.stringify(rec));
      }
    }
  }
});
