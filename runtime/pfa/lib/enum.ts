// PFA library, family "enum" (specification §20.2): enum symbols (held in memory as their
// symbol strings) as strings, as their index in the declared symbols, and the symbol count.

import type { LibFunction, LibImpl, PfaType } from '../types.js';

const ENUM_A = [{ name: 'x', type: { type: 'enum', label: 'A' } }];

function symbolsOf(t: PfaType | undefined): readonly string[] {
  return t?.kind === 'enum' ? t.symbols : [];
}

export const enumToString: LibFunction = {
  name: 'enum.toString',
  sigs: [{ params: ENUM_A, ret: 'string' }],
  make: () => (x: string) => x,
};

export const enumToInt: LibFunction = {
  name: 'enum.toInt',
  sigs: [{ params: ENUM_A, ret: 'int' }],
  make(types): LibImpl {
    const index = new Map(symbolsOf(types.params[0]).map((s, i) => [s, i]));
    return (x: string) => index.get(x) ?? -1;
  },
};

export const enumNumSymbols: LibFunction = {
  name: 'enum.numSymbols',
  sigs: [{ params: ENUM_A, ret: 'int' }],
  make(types): LibImpl {
    const n = symbolsOf(types.params[0]).length;
    return () => n;
  },
};
