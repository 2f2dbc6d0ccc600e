// Every diagnostic the compiler can report. Codes are stable and documented in
// docs/errors.md (test/diagnostics/catalog.test.ts keeps the two in sync).
// Ranges: 1xxx decode, 2xxx check (invalid: the model breaks its spec),
// 3xxx lower (unsupported: valid but not implemented), 5xxx emit, 6xxx validate, 9xxx internal.

export const CATALOG = {
  MLC1001: 'cannot read the model file',
  MLC1002: 'the file is not a model in a known format (ONNX, PMML, PFA)',
  MLC1003: 'the ONNX protobuf is truncated or malformed',
  MLC1004: 'an external data file of a tensor cannot be read',
  MLC1201: 'the PFA document is not valid JSON or YAML',
  MLC1101: 'the PMML document is not well-formed XML, is too large, or declares a DOCTYPE or entities',
  MLC2001: 'the model has no graph',
  MLC2002: 'a node input names a value that is not defined',
  MLC2003: 'a node attribute is missing or malformed',
  MLC2004: 'a tensor is malformed (data does not match its dims or type)',
  MLC2005: 'an input type breaks the op type constraints',
  MLC2006: 'a value is defined twice',
  MLC2007: 'a node has the wrong number of inputs or outputs',
  MLC2008: 'a graph input or output has no usable type',
  MLC2201: 'the PFA document is invalid (structure, types, unknown symbols or functions)',
  MLC2101: 'the PMML document is invalid (breaks the PMML 4.4 schema or refers to undefined fields)',
  MLC3001: 'unsupported op (not in the op registry for this domain)',
  MLC3002: 'unsupported opset version for an op',
  MLC3003: 'unsupported element type',
  MLC3004: 'unsupported value kind in graph inputs or outputs',
  MLC3005: 'unsupported attribute value',
  MLC3201: 'the PFA document uses a feature that is not supported',
  MLC3101: 'the PMML document uses a feature or model type that is not supported',
  MLC5001: 'code generation failed',
  MLC6001: 'cannot read inputs or expected outputs for validation',
  MLC9001: 'internal compiler error (please report)',
} as const;

export type DiagnosticCode = keyof typeof CATALOG;
