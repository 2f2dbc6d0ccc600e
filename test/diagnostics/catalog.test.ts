// docs/errors.md and the diagnostics catalogue must list the same codes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CATALOG } from '../../src/diagnostics/catalog.js';

test('every catalogue code is documented and every documented code exists', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set([...doc.matchAll(/\|\s*(MLC\d{4})\s*\|/g)].map((m) => m[1]));
  const codes = new Set(Object.keys(CATALOG));
  for (const c of codes) assert.ok(documented.has(c), `${c} is missing from docs/errors.md`);
  for (const c of documented) assert.ok(codes.has(c), `${c} is documented but not in the catalogue`);
});
