// Scorecard: Characteristics broken into Attributes (a predicate with a partial
// score, or a ComplexPartialScore expression). The score is initialScore plus the
// partial score of the first matching Attribute of every Characteristic; with
// useReasonCodes, each used Attribute contributes points to its reason code and
// the reason codes are returned ranked.
//
// Compile time: predicates and expressions compiled once, every distinct reason code
// numbered; per row: one pass over the characteristics, points accumulated in a
// Float64Array, then a small insertion sort of the codes that scored.
//
// Spec points implemented (PMML 4.4 Scorecard):
// - "If not even a single Attribute evaluates to "true" for a given Characteristic, the
//   scorecard as a whole returns an invalid value" → InvalidResult.
// - reason code of an Attribute: its own reasonCode, else the Characteristic's; baseline: the
//   Characteristic's baselineScore, else the Scorecard's. Both are required with useReasonCodes.
// - pointsBelow: points = baselineScore − partialScore; pointsAbove: partialScore − baselineScore.
// - Points of characteristics that share a reason code are summed before ranking; reason codes
//   are ranked by points, highest first; equal points keep the order in which the codes were
//   first used for the row (document order of the characteristics). Codes whose summed points
//   are negative are not returned (they do not explain the score in the chosen direction).
// - A ComplexPartialScore that evaluates to missing gives no score (missing prediction).
// - baselineMethod (max, min, mean, neutral, other) documents how the baselines were computed;
//   it does not change scoring.

import { boolAttr, child, childPath, children, enumAttr, fail, numAttr, optNumAttr, requireChild, unsupported } from '../el.js';
import { InvalidResult } from '../env.js';
import type { Env, Evaluator, ModelCompiler, ModelResult, Predicate } from '../types.js';
import { toNumber } from '../values.js';

const PREDICATES = new Set(['SimplePredicate', 'CompoundPredicate', 'SimpleSetPredicate', 'True', 'False']);

interface AttributeNode {
  readonly predicate: Predicate;
  /** Fixed partial score, or NaN when `complex` computes it. */
  readonly partialScore: number;
  readonly complex: Evaluator | null;
  /** Reason code index, -1 without reason codes. */
  readonly code: number;
}

interface CharacteristicNode {
  readonly name: string;
  readonly baseline: number;
  readonly attributes: readonly AttributeNode[];
}

export const scorecard: ModelCompiler = {
  element: 'Scorecard',
  compile(el, ctx) {
    const path = ctx.path;
    if (ctx.functionName === 'classification') unsupported(path, 'a classification Scorecard is not supported (only regression: the score)');
    if (ctx.functionName !== 'regression') fail(path, `functionName="${ctx.functionName}" is not regression (a Scorecard computes a score)`);
    const initialScore = numAttr(el, 'initialScore', path, 0);
    const useReasonCodes = boolAttr(el, 'useReasonCodes', path, true);
    const algorithm = enumAttr(el, 'reasonCodeAlgorithm', ['pointsAbove', 'pointsBelow'] as const, 'pointsBelow', path);
    enumAttr(el, 'baselineMethod', ['max', 'min', 'mean', 'neutral', 'other'] as const, 'other', path);
    const scorecardBaseline = optNumAttr(el, 'baselineScore', path);
    const float = ctx.mathContext === 'float';

    const charsEl = requireChild(el, 'Characteristics', path);
    const cpath = `${path}/Characteristics`;
    const charEls = children(charsEl, 'Characteristic');
    if (charEls.length === 0) fail(cpath, '<Characteristics> needs at least one <Characteristic>');

    const codes: string[] = [];
    const codeIndex = new Map<string, number>();
    const characteristics: CharacteristicNode[] = charEls.map((ch, ci) => {
      const chPath = childPath(cpath, charsEl, ch);
      const name = ch.a.name ?? `Characteristic ${ci + 1}`;
      const baseline = optNumAttr(ch, 'baselineScore', chPath) ?? scorecardBaseline;
      // "baselineScore [...] is required when useReasonCodes attribute is "true" and attribute
      // baselineScore is not defined in element Scorecard."
      if (useReasonCodes && baseline === undefined) fail(chPath, 'useReasonCodes="true" needs a baselineScore on the Characteristic or the Scorecard');
      const attrEls = children(ch, 'Attribute');
      if (attrEls.length === 0) fail(chPath, '<Characteristic> needs at least one <Attribute>');
      const attributes = attrEls.map((a): AttributeNode => {
        const apath = childPath(chPath, ch, a);
        const predEl = a.c.find((c) => PREDICATES.has(c.n)) ?? fail(apath, '<Attribute> needs a predicate');
        const predicate = ctx.predicate(predEl, `${apath}/${predEl.n}`);
        // "ComplexPartialScore [...] If this is defined it takes precedence over the partialScore attribute value."
        const cps = child(a, 'ComplexPartialScore');
        let complex: Evaluator | null = null;
        let partialScore = NaN;
        if (cps) {
          const exprEl = cps.c.find((c) => c.n !== 'Extension') ?? fail(`${apath}/ComplexPartialScore`, '<ComplexPartialScore> needs an expression');
          complex = ctx.expression(exprEl, `${apath}/ComplexPartialScore/${exprEl.n}`);
        } else {
          const ps = optNumAttr(a, 'partialScore', apath);
          if (ps === undefined) fail(apath, '<Attribute> needs a partialScore or a <ComplexPartialScore>');
          partialScore = ps;
        }
        let code = -1;
        if (useReasonCodes) {
          const rc = a.a.reasonCode ?? ch.a.reasonCode;
          if (rc === undefined) fail(apath, 'useReasonCodes="true" needs a reasonCode on the Attribute or its Characteristic');
          code = codeIndex.get(rc) ?? -1;
          if (code < 0) {
            code = codes.length;
            codes.push(rc);
            codeIndex.set(rc, code);
          }
        }
        return { predicate, partialScore, complex, code };
      });
      return { name, baseline: baseline ?? 0, attributes };
    });

    const nc = codes.length;
    const points = new Float64Array(nc);
    const used = new Int32Array(nc);
    const rowOrder = new Int32Array(nc);
    let stamp = 0;
    const above = algorithm === 'pointsAbove';

    return (env: Env): ModelResult => {
      let score = initialScore;
      if (++stamp === 0x7fffffff) {
        used.fill(0);
        stamp = 1;
      }
      let nUsed = 0;
      for (const ch of characteristics) {
        let hit: AttributeNode | null = null;
        for (const a of ch.attributes) {
          if (a.predicate(env) === true) {
            hit = a;
            break;
          }
        }
        if (hit === null) throw new InvalidResult(`no Attribute of Characteristic "${ch.name}" matches the record`);
        let partial = hit.partialScore;
        if (hit.complex !== null) {
          const v = hit.complex(env);
          if (v === null) return { value: null };
          partial = toNumber(v);
          if (partial !== partial) return { value: null };
        }
        score = float ? Math.fround(score + partial) : score + partial;
        if (useReasonCodes) {
          const k = hit.code;
          const diff = above ? partial - ch.baseline : ch.baseline - partial;
          if (used[k] !== stamp) {
            used[k] = stamp;
            points[k] = diff;
            rowOrder[nUsed++] = k;
          } else points[k] += diff;
        }
      }
      if (!useReasonCodes) return { value: score };
      // Rank: points descending, stable (insertion sort over the codes in first-use order).
      let m = 0;
      for (let i = 0; i < nUsed; i++) {
        const k = rowOrder[i];
        if (!(points[k] >= 0)) continue;
        let j = m;
        while (j > 0 && points[rowOrder[j - 1]] < points[k]) {
          rowOrder[j] = rowOrder[j - 1];
          j--;
        }
        rowOrder[j] = k;
        m++;
      }
      const reasonCodes = new Array<string>(m);
      for (let i = 0; i < m; i++) reasonCodes[i] = codes[rowOrder[i]];
      return { value: score, reasonCodes };
    };
  },
};
