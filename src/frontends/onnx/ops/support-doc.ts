// Renders the op support table (docs/support.md) from the registry.

import { allOps, primitiveName } from './registry.js';
import type { AnyOpDef } from './types.js';

function range(d: AnyOpDef): string {
  return d.until === undefined ? `${d.since}+` : d.since === d.until ? `${d.since}` : `${d.since}–${d.until}`;
}

function types(d: AnyOpDef): string {
  const c = d.constraints ?? {};
  const names = Object.keys(c);
  if (names.length === 0) return 'any';
  return names.map((n) => `${n}: ${c[n].join(', ')}`).join('; ');
}

export function renderSupportDoc(): string {
  const byOp = new Map<string, AnyOpDef[]>();
  for (const d of allOps()) {
    const key = `${d.domain ? d.domain + '.' : ''}${d.op}`;
    byOp.set(key, [...(byOp.get(key) ?? []), d]);
  }
  const lines = [
    '# Supported ONNX operators',
    '',
    'Generated from the op registry by `npx tsx scripts/support-doc.ts`; do not edit by hand.',
    'Opset ranges are inclusive ("13+" = opset 13 up to the newest supported).',
    '',
    `${byOp.size} operators.`,
    '',
    '| op | opsets | kernel | element types |',
    '|---|---|---|---|',
  ];
  for (const key of [...byOp.keys()].sort()) {
    const defs = byOp.get(key) as AnyOpDef[];
    defs.sort((a, b) => a.since - b.since);
    const kernels = [...new Set(defs.map(primitiveName))].join(', ');
    lines.push(`| ${key} | ${defs.map(range).join(', ')} | \`${kernels}\` | ${types(defs[defs.length - 1])} |`);
  }
  return lines.join('\n') + '\n';
}
