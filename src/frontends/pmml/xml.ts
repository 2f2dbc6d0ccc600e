// PMML bytes → element tree (El). fast-xml-parser does the XML; this file adds
// the rules a model compiler needs: no DOCTYPE or entity declarations (so no
// entity expansion, ever), a size limit, namespaces of every PMML version
// accepted (prefixes dropped), and Extension elements left out of the tree.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { fail } from '../../diagnostics/diagnostic.js';
import { isAnnotation } from '../../../runtime/pmml/el.js';
import type { El } from '../../../runtime/pmml/types.js';

/** Documents above this size are refused (a PMML file this large is almost certainly not a model). */
export const MAX_PMML_BYTES = 512 * 1024 * 1024;

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

export interface PmmlXml {
  readonly root: El;
  /** The PMML namespace URI declared on the root, if any (e.g. http://www.dmg.org/PMML-4_4). */
  readonly namespace: string | null;
  readonly version: string | null;
}

export function decodePmmlXml(bytes: Uint8Array): PmmlXml {
  if (bytes.length > MAX_PMML_BYTES) fail('MLC1101', `the document is ${bytes.length} bytes; the limit is ${MAX_PMML_BYTES}`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    fail('MLC1101', 'the document has a DOCTYPE or entity declaration; PMML never needs one and it is refused (no entity expansion)');
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    fail('MLC1101', `the document is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: false,
  });
  const parsed = parser.parse(text) as Ordered[];
  let root: El | undefined;
  for (const node of parsed) {
    const el = toEl(node);
    if (el) {
      root = el;
      break;
    }
  }
  if (!root || root.n !== 'PMML') fail('MLC1101', `the root element is <${root?.n ?? 'none'}>, not <PMML>`);
  const rawRoot = parsed.find((n) => Object.keys(n).some((k) => localName(k) === 'PMML'));
  const attrs = rawRoot?.[':@'] ?? {};
  const namespace = attrs.xmlns ?? Object.entries(attrs).find(([k]) => k.startsWith('xmlns:') && /dmg\.org\/PMML/.test(String(attrs[k])))?.[1] ?? null;
  return { root, namespace: namespace ?? null, version: root.a.version ?? null };
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The five predefined entities and numeric character references (&#10; &#xE9;),
 * decoded in one pass so that `&amp;#10;` stays the text `&#10;`. (Documents with a
 * DOCTYPE are refused, so no other entity can exist.)
 */
function decodeCharRefs(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (m, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref];
    const n = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : m;
  });
}

function localName(tag: string): string {
  const at = tag.indexOf(':');
  return at >= 0 ? tag.slice(at + 1) : tag;
}

function toEl(node: Ordered): El | undefined {
  for (const key of Object.keys(node)) {
    if (key === ':@' || key === '#text' || key.startsWith('?')) continue;
    const name = localName(key);
    if (isAnnotation(name)) return undefined;
    const rawAttrs = node[':@'] ?? {};
    const a: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawAttrs)) {
      if (k === 'xmlns' || k.startsWith('xmlns:') || k.startsWith('xsi:') || k.startsWith('xml:')) continue;
      a[localName(k)] = decodeCharRefs(String(v));
    }
    const kids = node[key] as Ordered[];
    const c: El[] = [];
    let t = '';
    let hasText = false;
    for (const k of kids) {
      if ('#text' in k) {
        t += decodeCharRefs(String(k['#text']));
        hasText = true;
        continue;
      }
      const e = toEl(k);
      if (e) c.push(e);
    }
    const el: El = hasText && t.trim() !== '' ? { n: name, a, c, t } : { n: name, a, c };
    return el;
  }
  return undefined;
}
