// Sequence ops (values inside graphs; sequence graph inputs/outputs come later).

import * as seq from '../../../../runtime/tensor/sequence.js';
import * as strings from '../../../../runtime/tensor/strings.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { kernelsOf, type AnyOpDef } from './types.js';

const k = kernelsOf('tensor/sequence', seq);
const ks = kernelsOf('tensor/strings', strings);

export const OPS: readonly AnyOpDef[] = [
  { op: 'SequenceEmpty', since: 11, aliasesInputs: true, kernel: k('sequenceEmpty'), inputs: [], attrs: (a) => ({ dtype: a.int('dtype', 1) }) },
  { op: 'SequenceConstruct', since: 11, aliasesInputs: true, kernel: k('sequenceConstruct'), inputs: ['*'], minInputs: 1, maxInputs: Infinity },
  { op: 'SequenceAt', since: 11, aliasesInputs: true, kernel: k('sequenceAt'), inputs: ['*', '*'] },
  { op: 'SequenceInsert', since: 11, aliasesInputs: true, kernel: k('sequenceInsert'), inputs: ['*', '*', '*'], minInputs: 2 },
  { op: 'SequenceErase', since: 11, aliasesInputs: true, kernel: k('sequenceErase'), inputs: ['*', '*'], minInputs: 1 },
  { op: 'SequenceLength', since: 11, kernel: k('sequenceLength'), inputs: ['*'], outputs: ['int64'] },
  {
    op: 'SplitToSequence', since: 11, aliasesInputs: true, kernel: k('splitToSequence'), inputs: ['*', '*'], minInputs: 1,
    attrs: (a) => ({ axis: a.int('axis', 0), keepdims: a.int('keepdims', 1) }),
  },
  {
    op: 'ConcatFromSequence', since: 11, aliasesInputs: true, kernel: k('concatFromSequence'), inputs: ['*'],
    attrs: (a) => ({ axis: a.int('axis'), newAxis: a.int('new_axis', 0) }),
  },
  { op: 'SequenceMap', since: 17, aliasesInputs: true, kernel: k('sequenceMap'), inputs: ['*'], minInputs: 1, maxInputs: Infinity, subgraphs: ['body'] },
  { op: 'Optional', since: 15, aliasesInputs: true, kernel: k('optional'), inputs: ['*'], minInputs: 0, maxInputs: 1 },
  { op: 'OptionalHasElement', since: 15, kernel: k('optionalHasElement'), inputs: ['*'], minInputs: 0, maxInputs: 1, outputs: ['bool'] },
  { op: 'OptionalGetElement', since: 15, aliasesInputs: true, kernel: k('optionalGetElement'), inputs: ['*'] },
  {
    op: 'StringNormalizer', since: 10, kernel: ks('stringNormalizer'), inputs: ['string'], outputs: ['string'],
    attrs: (a) => {
      const caseChange = a.string('case_change_action', 'NONE');
      if (caseChange !== 'LOWER' && caseChange !== 'UPPER' && caseChange !== 'NONE') {
        fail('MLC2003', `attribute "case_change_action" must be LOWER, UPPER or NONE, got ${JSON.stringify(caseChange)}`);
      }
      return { caseChange, caseSensitive: a.int('is_case_sensitive', 0) !== 0, stopwords: a.strings('stopwords', []) };
    },
  },
];
