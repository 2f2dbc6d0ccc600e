// BayesianNetworkModel (PMML 4.4): a directed acyclic graph of DiscreteNodes
// (probability tables) and ContinuousNodes (Normal, Lognormal, Uniform or Triangular
// distributions whose parameters are expressions, chosen by the values of discrete
// parents). The joint distribution is Pr(X) = Π_i Pr(X_i | parents(X_i)).
//
// Scoring a row: the evidence D is every node whose field has a value in the row (the
// target never counts as evidence). For a discrete target the result is the posterior
// Pr(target | D) over its values, computed exactly by enumerating the unobserved discrete
// nodes that matter (the target, the evidence and their ancestors; the other nodes sum
// out to 1); each observed continuous node contributes its density. For a continuous
// target the predicted value is the posterior mean Σ_c Pr(c | D)·E[target | c] over the
// configurations c of the unobserved discrete nodes.
//
// What exact enumeration cannot do is reported per row (value null and a warning): an
// unobserved continuous node among the relevant ones (it would have to be integrated),
// a continuous target with observed descendants, a distribution parameter that refers to
// an unobserved node, evidence with probability 0. Networks whose discrete nodes have
// more than MAX_CONFIGURATIONS joint configurations are refused at compile time
// (PmmlUnsupportedError): enumeration would be exponential.
//
// Interpretations: LognormalDistributionForBN's Mean and Variance are those of log(X);
// TriangularDistributionForBN's Mean is the distribution's mean (the mode is
// 3·Mean − Lower − Upper). A DerivedField inside a node whose name is the node's name
// gives the node's observed value (e.g. a discretisation of an input field).

import { child, childPath, children, fail, parseNumber, unsupported } from '../el.js';
import type { El, Env, Evaluator, ModelCompiler, ModelContext, ModelResult, Value } from '../types.js';
import { categoryKey, parseValue, toNumber } from '../values.js';

/** Joint configurations of all discrete nodes above which the network is refused. */
export const MAX_CONFIGURATIONS = 1 << 20;

type DistKind = 'normal' | 'lognormal' | 'uniform' | 'triangular';

interface Dist {
  readonly kind: DistKind;
  /** normal/lognormal: mean, variance; uniform: lower, upper; triangular: mean, lower, upper. */
  readonly params: readonly Evaluator[];
}

interface DiscreteNode {
  readonly kind: 'discrete';
  readonly name: string;
  readonly path: string;
  /** Value texts in document order. */
  readonly texts: readonly string[];
  /** Typed values (the field's data type when the node is a field, else the texts). */
  readonly values: readonly Value[];
  /** categoryKey of a typed value → index. */
  readonly index: ReadonlyMap<string, number>;
  readonly parents: number[];
  /** Probability table: [config of parents (mixed radix, first parent slowest)][value]. */
  cpt: Float64Array;
  observe: ((env: Env) => Value) | null;
}

interface ContinuousNode {
  readonly kind: 'continuous';
  readonly name: string;
  readonly path: string;
  readonly parents: number[];
  /** Nodes referenced by distribution parameters (must be observed to evaluate them). */
  readonly exprParents: number[];
  /** One distribution per configuration of the discrete parents. */
  dists: (Dist | null)[];
  observe: ((env: Env) => Value) | null;
}

type Node = DiscreteNode | ContinuousNode;

const DIST_ELEMENTS: Readonly<Record<string, { kind: DistKind; params: readonly string[] }>> = {
  NormalDistributionForBN: { kind: 'normal', params: ['Mean', 'Variance'] },
  LognormalDistributionForBN: { kind: 'lognormal', params: ['Mean', 'Variance'] },
  UniformDistributionForBN: { kind: 'uniform', params: ['Lower', 'Upper'] },
  TriangularDistributionForBN: { kind: 'triangular', params: ['Mean', 'Lower', 'Upper'] },
};

const EXPRESSIONS: ReadonlySet<string> = new Set([
  'Constant', 'FieldRef', 'NormContinuous', 'NormDiscrete', 'Discretize', 'MapValues', 'TextIndex', 'Apply', 'Aggregate', 'Lag',
]);

export const bayesianNetworkModel: ModelCompiler = {
  element: 'BayesianNetworkModel',
  compile(el, ctx) {
    const net = buildNetwork(el, ctx);
    return compileInference(net, ctx);
  },
};

// ---------------------------------------------------------------------------
// Reading the network

interface Network {
  readonly nodes: readonly Node[];
  /** Node indices in topological order (parents first). */
  readonly order: readonly number[];
  /** ancestors[i]: every ancestor of node i. */
  readonly ancestors: readonly (readonly number[])[];
  readonly target: number;
}

function expressionOf(el: El, path: string): El {
  return el.c.find((c) => EXPRESSIONS.has(c.n)) ?? fail(path, `<${el.n}> needs an expression`);
}

/** Every field name an expression refers to. */
function referencedFields(el: El, out: Set<string>): void {
  const stack: El[] = [el];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.a.field !== undefined) out.add(e.a.field);
    for (const c of e.c) stack.push(c);
  }
}

function buildNetwork(el: El, ctx: ModelContext): Network {
  const path = ctx.path;
  const bnn = child(el, 'BayesianNetworkNodes') ?? fail(path, '<BayesianNetworkModel> needs <BayesianNetworkNodes>');
  const bnnPath = childPath(path, el, bnn);
  const nodeEls = children(bnn, 'DiscreteNode', 'ContinuousNode');
  if (nodeEls.length === 0) fail(bnnPath, '<BayesianNetworkNodes> has no nodes');
  const byName = new Map<string, number>();
  nodeEls.forEach((n, i) => {
    const name = n.a.name ?? fail(childPath(bnnPath, bnn, n), `<${n.n}> needs a name`);
    if (byName.has(name)) fail(childPath(bnnPath, bnn, n), `node "${name}" is defined twice`);
    byName.set(name, i);
  });
  const nodePath = (n: El): string => `${bnnPath}/${n.n}[name=${n.a.name}]`;

  // Pass 1: discrete nodes' value sets (needed to read ParentValue of any node).
  const nodes: Node[] = nodeEls.map((n) => {
    const name = n.a.name;
    const p = nodePath(n);
    const observe = observer(n, name, p, ctx);
    if (n.n === 'DiscreteNode') {
      const texts: string[] = [];
      const seen = new Set<string>();
      const addTexts = (vps: El[]): void => {
        for (const vp of vps) {
          const t = vp.a.value ?? fail(p, '<ValueProbability> needs a value');
          if (!seen.has(t)) {
            seen.add(t);
            texts.push(t);
          }
        }
      };
      addTexts(children(n, 'ValueProbability'));
      for (const dcp of children(n, 'DiscreteConditionalProbability')) addTexts(children(dcp, 'ValueProbability'));
      if (texts.length === 0) fail(p, `discrete node "${name}" has no values`);
      const info = ctx.scope.has(name) ? ctx.scope.resolve(name, p).info : null;
      const values = texts.map((t) => (info ? parseValue(t, info.dataType, p) : t));
      const index = new Map<string, number>();
      values.forEach((v, i) => {
        const k = categoryKey(v);
        if (index.has(k)) fail(p, `discrete node "${name}" lists the value ${JSON.stringify(texts[i])} twice`);
        index.set(k, i);
      });
      const node: DiscreteNode = { kind: 'discrete', name, path: p, texts, values, index, parents: [], cpt: new Float64Array(0), observe };
      return node;
    }
    const node: ContinuousNode = { kind: 'continuous', name, path: p, parents: [], exprParents: [], dists: [], observe };
    return node;
  });

  const discreteParent = (pv: El, p: string): number => {
    const parent = pv.a.parent ?? fail(p, '<ParentValue> needs a parent');
    const at = byName.get(parent);
    if (at === undefined) fail(p, `<ParentValue parent="${parent}">: no node of that name`);
    if (nodes[at].kind !== 'discrete') fail(p, `<ParentValue parent="${parent}">: the parent is not a DiscreteNode`);
    return at;
  };
  const valueIndex = (parent: DiscreteNode, text: string, p: string): number => {
    const info = ctx.scope.has(parent.name) ? ctx.scope.resolve(parent.name, p).info : null;
    const v = info ? parseValue(text, info.dataType, p) : text;
    const i = parent.index.get(categoryKey(v));
    if (i === undefined) fail(p, `<ParentValue parent="${parent.name}" value="${text}">: "${parent.name}" has no such value`);
    return i;
  };
  /** Parent set from a list of ParentValue rows; each row's parents must be the same set. */
  const parentsOf = (rows: El[][], p: string): number[] => {
    if (rows.length === 0) return [];
    const first = rows[0].map((pv) => discreteParent(pv, p));
    const sorted = [...first].sort((a, b) => a - b).join(',');
    for (const r of rows) {
      const ids = r.map((pv) => discreteParent(pv, p));
      if ([...ids].sort((a, b) => a - b).join(',') !== sorted) fail(p, 'the conditional probabilities do not all name the same parents');
      if (new Set(ids).size !== ids.length) fail(p, 'a parent is named twice in one conditional probability');
    }
    return first;
  };
  /** Mixed-radix configuration index of a ParentValue row (first parent slowest). */
  const configOf = (parents: readonly number[], row: El[], p: string): number => {
    let cfg = 0;
    for (const parentAt of parents) {
      const parent = nodes[parentAt] as DiscreteNode;
      const pv = row.find((r) => r.a.parent === parent.name)!;
      cfg = cfg * parent.values.length + valueIndex(parent, pv.a.value ?? fail(p, '<ParentValue> needs a value'), p);
    }
    return cfg;
  };
  const configCount = (parents: readonly number[]): number => parents.reduce((s, i) => s * (nodes[i] as DiscreteNode).values.length, 1);

  // Pass 2: tables, distributions and edges.
  nodeEls.forEach((n, i) => {
    const node = nodes[i];
    const p = node.path;
    if (node.kind === 'discrete') {
      const dcps = children(n, 'DiscreteConditionalProbability');
      const roots = children(n, 'ValueProbability');
      if (dcps.length > 0 && roots.length > 0) fail(p, 'a DiscreteNode has either ValueProbability (a root) or DiscreteConditionalProbability elements, not both');
      const rows = dcps.map((d) => children(d, 'ParentValue'));
      node.parents.push(...parentsOf(rows, p));
      const card = node.values.length;
      const configs = configCount(node.parents);
      const cpt = new Float64Array(configs * card).fill(NaN);
      const fillRow = (vps: El[], cfg: number, rp: string): void => {
        if (!Number.isNaN(cpt[cfg * card])) fail(rp, 'two conditional probabilities for the same parent values');
        for (let k = 0; k < card; k++) cpt[cfg * card + k] = 0;
        for (const vp of vps) {
          const at = node.texts.indexOf(vp.a.value ?? '');
          const prob = parseNumber(vp.a.probability ?? fail(rp, '<ValueProbability> needs a probability'), rp, 'probability');
          if (!(prob >= 0)) fail(rp, `probability ${prob} is negative`);
          cpt[cfg * card + at] = prob;
        }
      };
      if (dcps.length === 0) fillRow(roots, 0, p);
      dcps.forEach((d, k) => fillRow(children(d, 'ValueProbability'), configOf(node.parents, rows[k], p), childPath(p, n, d)));
      for (let cfg = 0; cfg < configs; cfg++) {
        if (Number.isNaN(cpt[cfg * card])) fail(p, `no probabilities for parent configuration ${describeConfig(nodes, node.parents, cfg)}`);
      }
      node.cpt = cpt;
      return;
    }
    // Continuous node
    const ccps = children(n, 'ContinuousConditionalProbability');
    const roots = children(n, 'ContinuousDistribution');
    if (ccps.length > 0 && roots.length > 0) fail(p, 'a ContinuousNode has either ContinuousDistribution (no discrete parents) or ContinuousConditionalProbability elements, not both');
    if (ccps.length === 0 && roots.length === 0) fail(p, `continuous node "${node.name}" has no distribution`);
    const rows = ccps.map((c) => children(c, 'ParentValue'));
    node.parents.push(...parentsOf(rows, p));
    const configs = configCount(node.parents);
    node.dists = new Array<Dist | null>(configs).fill(null);
    const refs = new Set<string>();
    const setDist = (owner: El, cfg: number, rp: string): void => {
      const cds = children(owner, 'ContinuousDistribution');
      if (cds.length !== 1) unsupported(rp, `${cds.length} ContinuousDistribution elements for one parent configuration (a mixture) are not supported`);
      if (node.dists[cfg] !== null) fail(rp, 'two distributions for the same parent values');
      node.dists[cfg] = readDist(cds[0], childPath(rp, owner, cds[0]), ctx, refs);
    };
    if (ccps.length === 0) setDist(n, 0, p);
    ccps.forEach((c, k) => setDist(c, configOf(node.parents, rows[k], p), childPath(p, n, c)));
    for (let cfg = 0; cfg < configs; cfg++) {
      if (node.dists[cfg] === null) fail(p, `no distribution for parent configuration ${describeConfig(nodes, node.parents, cfg)}`);
    }
    for (const r of refs) {
      const at = byName.get(r);
      if (at !== undefined && at !== i && !node.exprParents.includes(at)) node.exprParents.push(at);
    }
  });

  // Graph: parents (ParentValue) and expression references.
  const parentsAll = nodes.map((nd) => [...new Set([...nd.parents, ...(nd.kind === 'continuous' ? nd.exprParents : [])])]);
  const order = topologicalOrder(parentsAll, nodes, bnnPath);
  const ancestors = nodes.map((_, i) => {
    const seen = new Set<number>();
    const stack = [...parentsAll[i]];
    while (stack.length > 0) {
      const a = stack.pop()!;
      if (seen.has(a)) continue;
      seen.add(a);
      stack.push(...parentsAll[a]);
    }
    return [...seen];
  });

  let total = 1;
  for (const nd of nodes) {
    if (nd.kind === 'discrete') total *= nd.values.length;
  }
  if (total > MAX_CONFIGURATIONS) {
    unsupported(path, `the discrete nodes have ${total} joint configurations; exact inference by enumeration is limited to ${MAX_CONFIGURATIONS}`);
  }

  const targetName = ctx.target?.name ?? fail(path, 'a BayesianNetworkModel needs a target field in its MiningSchema');
  const target = byName.get(targetName) ?? fail(path, `the target "${targetName}" is not a node of the network`);
  return { nodes, order, ancestors, target };
}

function describeConfig(nodes: readonly Node[], parents: readonly number[], cfg: number): string {
  const parts: string[] = [];
  for (let k = parents.length - 1; k >= 0; k--) {
    const parent = nodes[parents[k]] as DiscreteNode;
    const card = parent.values.length;
    parts.unshift(`${parent.name}=${parent.texts[cfg % card]}`);
    cfg = Math.floor(cfg / card);
  }
  return parts.length === 0 ? '(root)' : parts.join(', ');
}

/** How a node's value is read from the row: a DerivedField of the node's name, else the field; null for latent nodes. */
function observer(n: El, name: string, p: string, ctx: ModelContext): ((env: Env) => Value) | null {
  const dfs = children(n, 'DerivedField');
  for (const df of dfs) {
    const dp = childPath(p, n, df);
    if (df.a.name !== name) unsupported(dp, `a DerivedField inside node "${name}" must define the node's value (name="${name}"); "${df.a.name}" is not supported`);
  }
  if (dfs.length > 1) unsupported(p, `node "${name}" has ${dfs.length} DerivedFields; one is supported`);
  if (dfs.length === 1) {
    const df = dfs[0];
    const dp = childPath(p, n, df);
    return ctx.expression(expressionOf(df, dp), dp);
  }
  return ctx.scope.has(name) ? ctx.scope.resolve(name, p).get : null;
}

function readDist(cd: El, p: string, ctx: ModelContext, refs: Set<string>): Dist {
  const d = cd.c.find((c) => DIST_ELEMENTS[c.n] !== undefined) ?? fail(p, '<ContinuousDistribution> needs a distribution element');
  const spec = DIST_ELEMENTS[d.n];
  const dp = `${p}/${d.n}`;
  const params = spec.params.map((name) => {
    const pe = child(d, name) ?? fail(dp, `<${d.n}> needs <${name}>`);
    const pp = `${dp}/${name}`;
    const expr = expressionOf(pe, pp);
    referencedFields(expr, refs);
    return ctx.expression(expr, pp);
  });
  return { kind: spec.kind, params };
}

function topologicalOrder(parents: readonly (readonly number[])[], nodes: readonly Node[], path: string): number[] {
  const state = new Uint8Array(parents.length); // 0 new, 1 on stack, 2 done
  const order: number[] = [];
  for (let s = 0; s < parents.length; s++) {
    if (state[s] !== 0) continue;
    const stack: { node: number; next: number }[] = [{ node: s, next: 0 }];
    state[s] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < parents[top.node].length) {
        const pa = parents[top.node][top.next++];
        if (state[pa] === 1) fail(path, `the network has a cycle through "${nodes[pa].name}"`);
        if (state[pa] === 0) {
          state[pa] = 1;
          stack.push({ node: pa, next: 0 });
        }
      } else {
        state[top.node] = 2;
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}

// ---------------------------------------------------------------------------
// Densities and means

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Density of x under the distribution with evaluated parameters; NaN when the parameters are unusable. */
export function density(kind: DistKind, a: number, b: number, c: number, x: number): number {
  switch (kind) {
    case 'normal': {
      if (!(b > 0)) return NaN;
      const z = x - a;
      return Math.exp(-(z * z) / (2 * b) - 0.5 * Math.log(b) - LOG_SQRT_2PI);
    }
    case 'lognormal': {
      if (!(b > 0)) return NaN;
      if (x <= 0) return 0;
      const z = Math.log(x) - a;
      return Math.exp(-(z * z) / (2 * b) - 0.5 * Math.log(b) - LOG_SQRT_2PI) / x;
    }
    case 'uniform':
      if (!(b > a)) return NaN;
      return x >= a && x <= b ? 1 / (b - a) : 0;
    case 'triangular': {
      // a = mean, b = lower, c = upper
      const lo = b;
      const hi = c;
      const mode = 3 * a - lo - hi;
      if (!(hi > lo) || mode < lo || mode > hi) return NaN;
      if (x < lo || x > hi) return 0;
      if (x < mode) return (2 * (x - lo)) / ((hi - lo) * (mode - lo));
      if (x > mode) return (2 * (hi - x)) / ((hi - lo) * (hi - mode));
      return 2 / (hi - lo);
    }
  }
}

/** Expected value of the distribution. */
export function distMean(kind: DistKind, a: number, b: number): number {
  switch (kind) {
    case 'normal': return a;
    case 'lognormal': return b >= 0 ? Math.exp(a + b / 2) : NaN;
    case 'uniform': return (a + b) / 2;
    case 'triangular': return a;
  }
  return NaN;
}

// ---------------------------------------------------------------------------
// Inference

function compileInference(net: Network, ctx: ModelContext): (env: Env) => ModelResult {
  const { nodes, order, ancestors, target } = net;
  const count = nodes.length;
  const targetNode = nodes[target];
  const classification = targetNode.kind === 'discrete';
  if (classification && ctx.functionName === 'regression') fail(ctx.path, `functionName="regression" but the target "${targetNode.name}" is a DiscreteNode`);
  if (!classification && ctx.functionName === 'classification') fail(ctx.path, `functionName="classification" but the target "${targetNode.name}" is a ContinuousNode`);

  // Per-row scratch, allocated once.
  const observed = new Uint8Array(count);
  const relevant = new Uint8Array(count);
  const assign = new Int32Array(count); // discrete value index per node (observed or enumerated)
  const contValue = new Float64Array(count);
  const unobservedList = new Int32Array(count);
  const relevantList = new Int32Array(count);
  // Per continuous node and parent configuration: density (observed) or mean (target), filled per row.
  const table: Float64Array[] = nodes.map((nd) => new Float64Array(nd.kind === 'continuous' ? nd.dists.length : 0));
  const paramScratch = new Float64Array(3);
  const targetCard = classification ? (targetNode as DiscreteNode).values.length : 0;
  const posterior = new Float64Array(Math.max(targetCard, 1));

  // Output keys and values of the target.
  let keys: string[] = [];
  let outValues: Value[] = [];
  if (classification) {
    const t = targetNode as DiscreteNode;
    const cats = ctx.target?.categories ?? [];
    outValues = t.values.map((v) => cats.find((c) => categoryKey(c) === categoryKey(v)) ?? v);
    keys = outValues.map((v) => categoryKey(v));
  }

  const parentConfig = (parents: readonly number[]): number => {
    let cfg = 0;
    for (let k = 0; k < parents.length; k++) {
      const pa = nodes[parents[k]] as DiscreteNode;
      cfg = cfg * pa.values.length + assign[parents[k]];
    }
    return cfg;
  };

  const nullResult = (warning: string): ModelResult => ({ value: null, warnings: [warning] });

  return (env: Env): ModelResult => {
    // 1. Evidence.
    for (let i = 0; i < count; i++) {
      observed[i] = 0;
      relevant[i] = 0;
      if (i === target) continue;
      const nd = nodes[i];
      if (nd.observe === null) continue;
      const v = nd.observe(env);
      if (v === null) continue;
      if (nd.kind === 'discrete') {
        const at = nd.index.get(categoryKey(v));
        if (at === undefined) return nullResult(`the value ${JSON.stringify(v)} of "${nd.name}" is not one of the node's values`);
        assign[i] = at;
      } else {
        const x = toNumber(v);
        if (Number.isNaN(x)) continue;
        contValue[i] = x;
      }
      observed[i] = 1;
    }
    // 2. Relevant nodes: the target, the evidence and their ancestors.
    relevant[target] = 1;
    for (const a of ancestors[target]) relevant[a] = 1;
    for (let i = 0; i < count; i++) {
      if (observed[i] === 0) continue;
      relevant[i] = 1;
      for (const a of ancestors[i]) relevant[a] = 1;
    }
    let nUnobserved = 0;
    let nRelevant = 0;
    for (const i of order) {
      if (relevant[i] === 0) continue;
      relevantList[nRelevant++] = i;
      const nd = nodes[i];
      if (nd.kind === 'discrete') {
        if (observed[i] === 0) unobservedList[nUnobserved++] = i;
        continue;
      }
      if (observed[i] === 0 && i !== target) return nullResult(`exact inference needs the continuous node "${nd.name}" observed`);
      if (i === target && hasObservedDescendant(i)) return nullResult(`the continuous target "${nd.name}" has observed descendants; its posterior needs integration, which is not supported`);
      for (const e of nd.exprParents) {
        if (observed[e] === 0) return nullResult(`the distribution of "${nd.name}" refers to "${nodes[e].name}", which is not observed`);
      }
      // Density (observed) or mean (target) per discrete-parent configuration.
      const t = table[i];
      for (let cfg = 0; cfg < nd.dists.length; cfg++) {
        const dist = nd.dists[cfg]!;
        for (let k = 0; k < dist.params.length; k++) {
          const pv = dist.params[k](env);
          paramScratch[k] = pv === null ? NaN : toNumber(pv);
        }
        const value = i === target
          ? distMean(dist.kind, paramScratch[0], paramScratch[1])
          : density(dist.kind, paramScratch[0], paramScratch[1], paramScratch[2], contValue[i]);
        t[cfg] = value;
      }
    }

    // 3. Enumerate the unobserved relevant discrete nodes.
    for (let k = 0; k < nUnobserved; k++) assign[unobservedList[k]] = 0;
    posterior.fill(0);
    let total = 0;
    let meanSum = 0;
    for (;;) {
      let w = 1;
      let targetMean = 0;
      for (let r = 0; r < nRelevant && w !== 0; r++) {
        const i = relevantList[r];
        const nd = nodes[i];
        const cfg = parentConfig(nd.parents);
        if (nd.kind === 'discrete') {
          w *= nd.cpt[cfg * nd.values.length + assign[i]];
        } else if (i === target) {
          targetMean = table[i][cfg];
        } else {
          w *= table[i][cfg];
        }
      }
      if (Number.isNaN(w)) return nullResult('a continuous distribution has unusable parameters for this row');
      if (w !== 0) {
        total += w;
        if (classification) posterior[assign[target]] += w;
        else meanSum += w * targetMean;
      }
      // next configuration (odometer, last node fastest)
      let k = nUnobserved - 1;
      while (k >= 0) {
        const i = unobservedList[k];
        const card = (nodes[i] as DiscreteNode).values.length;
        if (++assign[i] < card) break;
        assign[i] = 0;
        k--;
      }
      if (k < 0) break;
    }
    if (!(total > 0)) return nullResult('the evidence has probability 0 under the network');

    if (!classification) return { value: meanSum / total };
    const probabilities = new Map<string, number>();
    let best = 0;
    for (let v = 0; v < targetCard; v++) {
      const pr = posterior[v] / total;
      probabilities.set(keys[v], pr);
      if (pr > posterior[best] / total) best = v;
    }
    return { value: outValues[best], probabilities };
  };

  /** True when some observed node has `i` among its ancestors. */
  function hasObservedDescendant(i: number): boolean {
    for (let j = 0; j < count; j++) {
      if (observed[j] === 1 && ancestors[j].includes(i)) return true;
    }
    return false;
  }
}
