// XML decoding of PMML: character references and the predefined entities decode once
// (so `&amp;#10;` stays the text `&#10;`), and any DOCTYPE or entity declaration is refused.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('numeric character references and predefined entities decode exactly once', () => {
  const x = decodePmmlXml(enc('<PMML version="4.4"><DataDictionary><DataField name="a&#10;b&#xE9;&amp;&lt;&amp;#10;" optype="categorical" dataType="string"><Value value="&quot;x&apos;&gt;"/></DataField></DataDictionary><X>1 &lt; 2 &#x41;</X></PMML>'));
  const field = x.root.c[0].c[0];
  assert.equal(field.a.name, 'a\nbé&<&#10;');
  assert.equal(field.c[0].a.value, '"x\'>');
  assert.equal(x.root.c[1].t, '1 < 2 A');
});

test('DOCTYPE and entity declarations are refused (no entity expansion, ever)', () => {
  for (const doc of ['<!DOCTYPE PMML [<!ENTITY x "y">]><PMML version="4.4"/>', '<?xml version="1.0"?>\n<!DOCTYPE PMML SYSTEM "file:///etc/passwd"><PMML/>']) {
    assert.throws(() => decodePmmlXml(enc(doc)), (e: unknown) => e instanceof DiagnosticError && e.code === 'MLC1101');
  }
});
