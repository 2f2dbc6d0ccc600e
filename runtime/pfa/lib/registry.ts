// Every PFA library function, discovered from the family modules' exports: a
// family file exports one LibFunction per function (export name free, PFA name in
// `.name`). Adding a function = one export in its family file (+ its tests). The
// code generator imports only the functions a document calls (module + exportName).

import type { LibFunction } from '../types.js';
import * as a from './a.js';
import * as bytes from './bytes.js';
import * as cast from './cast.js';
import * as core from './core.js';
import * as enumFns from './enum.js';
import * as fixed from './fixed.js';
import * as impute from './impute.js';
import * as interp from './interp.js';
import * as la from './la.js';
import * as m from './m.js';
import * as mKernel from './m-kernel.js';
import * as mLink from './m-link.js';
import * as mSpecial from './m-special.js';
import * as map from './map.js';
import * as metric from './metric.js';
import * as modelCluster from './model-cluster.js';
import * as modelNaive from './model-naive.js';
import * as modelNeighbor from './model-neighbor.js';
import * as modelNeural from './model-neural.js';
import * as modelReg from './model-reg.js';
import * as modelSvm from './model-svm.js';
import * as modelTree from './model-tree.js';
import * as parse from './parse.js';
import * as probDist from './prob-dist.js';
import * as rand from './rand.js';
import * as re from './re.js';
import * as s from './s.js';
import * as stat from './stat.js';
import * as time from './time.js';

export interface LibEntry {
  readonly fn: LibFunction;
  /** Runtime module below runtime/ without extension, and the export, for generated imports. */
  readonly module: string;
  readonly exportName: string;
}

const FAMILIES: readonly (readonly [string, Record<string, unknown>])[] = [
  ['a', a], ['bytes', bytes], ['cast', cast], ['core', core], ['enum', enumFns], ['fixed', fixed], ['impute', impute],
  ['interp', interp], ['la', la], ['m', m], ['m-kernel', mKernel], ['m-link', mLink], ['m-special', mSpecial], ['map', map],
  ['metric', metric], ['model-cluster', modelCluster], ['model-naive', modelNaive], ['model-neighbor', modelNeighbor],
  ['model-neural', modelNeural], ['model-reg', modelReg], ['model-svm', modelSvm], ['model-tree', modelTree], ['parse', parse],
  ['prob-dist', probDist], ['rand', rand], ['re', re], ['s', s], ['stat', stat], ['time', time],
];

function isLibFunction(v: unknown): v is LibFunction {
  return typeof v === 'object' && v !== null && typeof (v as LibFunction).name === 'string' &&
    Array.isArray((v as LibFunction).sigs) && typeof (v as LibFunction).make === 'function';
}

const LIBRARY = new Map<string, LibEntry>();
for (const [family, mod] of FAMILIES) {
  for (const [exportName, v] of Object.entries(mod).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    if (!isLibFunction(v)) continue;
    if (LIBRARY.has(v.name)) throw new Error(`PFA library function ${v.name} is defined twice`);
    LIBRARY.set(v.name, { fn: v, module: `pfa/lib/${family}`, exportName });
  }
}

export function libraryFunction(name: string): LibEntry | undefined {
  return LIBRARY.get(name);
}

export function libraryNames(): string[] {
  return [...LIBRARY.keys()].sort();
}
