// Writes docs/support.md from the op registry (the registry is the truth;
// test/docs/support.test.ts fails when the file is stale).
//
//   npx tsx scripts/support-doc.ts

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSupportDoc } from '../src/frontends/onnx/ops/support-doc.js';

writeFileSync(join(import.meta.dirname, '..', 'docs', 'support.md'), renderSupportDoc());
console.log('docs/support.md written');
