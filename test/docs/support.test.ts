import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderSupportDoc } from '../../src/frontends/onnx/ops/support-doc.js';

test('docs/support.md matches the op registry (regenerate: npx tsx scripts/support-doc.ts)', () => {
  const doc = readFileSync(new URL('../../docs/support.md', import.meta.url), 'utf8');
  assert.equal(doc, renderSupportDoc());
});
