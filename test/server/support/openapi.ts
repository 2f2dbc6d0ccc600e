// Validates real server responses against the Open Inference Protocol's own
// OpenAPI description (shared/specs/open-inference-protocol/open_inference_rest.yaml):
// a small YAML reader for that file's subset (block mappings and sequences, plain
// and quoted scalars, flow `{}`/`[]`) and a JSON Schema checker for the keywords
// the document uses (type, properties, required, items, anyOf, additionalProperties, $ref).

import { readFileSync } from 'node:fs';

type Json = unknown;
type Obj = Record<string, Json>;

interface Line {
  indent: number;
  text: string;
}

function scalar(raw: string): Json {
  const s = raw.trim();
  if (s === '') return null;
  if (s.startsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  if (s.startsWith('"')) return JSON.parse(s) as Json;
  if (s === '{}') return {};
  if (s === '[]') return [];
  if (s === 'true' || s === 'false') return s === 'true';
  if (s === 'null' || s === '~') return null;
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) return Number(s);
  return s;
}

/** Splits `key: value` (key plain or quoted); undefined when the text is not a mapping entry. */
function splitKey(text: string): [string, string] | undefined {
  let key: string;
  let rest: string;
  if (text.startsWith("'") || text.startsWith('"')) {
    const q = text[0];
    let i = 1;
    while (i < text.length && !(text[i] === q && text[i + 1] !== q)) i += text[i] === q ? 2 : 1;
    key = scalar(text.slice(0, i + 1)) as string;
    rest = text.slice(i + 1);
    if (!rest.startsWith(':')) return undefined;
    rest = rest.slice(1);
  } else {
    const m = /^([^:#'"][^:]*?):(\s|$)/.exec(text);
    if (m === null) return undefined;
    key = m[1].trim();
    rest = text.slice(m[0].length - (m[2] === '' ? 0 : 1));
  }
  return [key, rest.trim()];
}

export function parseYaml(text: string): Json {
  const lines: Line[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*(#.*)?$/.test(raw)) continue;
    const indent = raw.length - raw.trimStart().length;
    lines.push({ indent, text: raw.trim() });
  }
  let i = 0;
  const block = (): Json => {
    const first = lines[i];
    if (first.text.startsWith('- ') || first.text === '-') return sequence(first.indent);
    return mapping(first.indent);
  };
  const child = (parentIndent: number, allowSameIndentSequence: boolean): Json => {
    const next = lines[i];
    if (next === undefined) return null;
    if (next.indent > parentIndent) return block();
    if (allowSameIndentSequence && next.indent === parentIndent && next.text.startsWith('- ')) return sequence(parentIndent);
    return null;
  };
  const mapping = (indent: number): Obj => {
    const out: Obj = {};
    while (i < lines.length && lines[i].indent === indent && !lines[i].text.startsWith('- ')) {
      const kv = splitKey(lines[i].text);
      if (kv === undefined) throw new Error(`YAML: cannot read line "${lines[i].text}"`);
      i++;
      out[kv[0]] = kv[1] === '' ? child(indent, true) : scalar(kv[1]);
    }
    return out;
  };
  const sequence = (indent: number): Json[] => {
    const out: Json[] = [];
    while (i < lines.length && lines[i].indent === indent && (lines[i].text.startsWith('- ') || lines[i].text === '-')) {
      const item = lines[i].text === '-' ? '' : lines[i].text.slice(2).trim();
      if (item === '') {
        i++;
        out.push(child(indent, false));
      } else if (splitKey(item) !== undefined) {
        // "- key: value" opens a mapping whose keys sit two columns right of the dash.
        lines[i] = { indent: indent + 2, text: item };
        out.push(mapping(indent + 2));
      } else {
        i++;
        out.push(scalar(item));
      }
    }
    return out;
  };
  const doc = block();
  if (i !== lines.length) throw new Error(`YAML: stopped at line "${lines[i].text}"`);
  return doc;
}

export class OpenApi {
  readonly doc: Obj;

  constructor(file: string) {
    this.doc = parseYaml(readFileSync(file, 'utf8')) as Obj;
  }

  private resolve(schema: Obj): Obj {
    let s = schema;
    for (let n = 0; typeof s.$ref === 'string' && n < 20; n++) {
      const parts = (s.$ref as string).replace(/^#\//, '').split('/');
      let t: Json = this.doc;
      for (const p of parts) t = (t as Obj)[p];
      if (t === undefined) throw new Error(`unresolved $ref ${String(s.$ref)}`);
      s = t as Obj;
    }
    return s;
  }

  /** Errors of `value` against `schema` (empty when it conforms). */
  validate(value: Json, schema: Obj, path = '$'): string[] {
    const s = this.resolve(schema);
    const errors: string[] = [];
    if (Array.isArray(s.anyOf)) {
      const ok = (s.anyOf as Obj[]).some((alt) => this.validate(value, alt, path).length === 0);
      if (!ok) errors.push(`${path}: matches no alternative of anyOf`);
    }
    const type = s.type as string | undefined;
    if (type !== undefined) {
      const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
      const ok = type === 'integer' ? typeof value === 'number' && Number.isInteger(value)
        : type === 'number' ? typeof value === 'number'
          : type === actual;
      if (!ok) {
        errors.push(`${path}: expected ${type}, got ${actual}`);
        return errors;
      }
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const o = value as Obj;
      for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errors.push(`${path}: missing required "${r}"`);
      const props = (s.properties as Record<string, Obj> | undefined) ?? {};
      for (const [k, v] of Object.entries(o)) {
        if (props[k] !== undefined) errors.push(...this.validate(v, props[k], `${path}.${k}`));
        else if (s.additionalProperties === false) errors.push(`${path}: unexpected property "${k}"`);
        else if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null) {
          errors.push(...this.validate(v, s.additionalProperties as Obj, `${path}.${k}`));
        }
      }
    }
    if (Array.isArray(value) && s.items !== undefined) {
      value.forEach((v, idx) => errors.push(...this.validate(v, s.items as Obj, `${path}[${idx}]`)));
    }
    return errors;
  }

  /** The path template of the document matching a concrete URL path (`${X}` is one segment; a trailing slash is optional). */
  pathFor(url: string): string | undefined {
    const paths = Object.keys(this.doc.paths as Obj);
    const norm = (p: string) => p.replace(/\/$/, '');
    return paths.find((p) => {
      const pattern = norm(p).split(/\$\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')).join('[^/]+');
      return new RegExp(`^${pattern}$`).test(norm(url));
    });
  }

  /** The response schema the document gives for a path template, method and status (undefined when it gives none). */
  responseSchema(template: string, method: string, status: number): Obj | undefined {
    const op = ((this.doc.paths as Obj)[template] as Obj | undefined)?.[method.toLowerCase()] as Obj | undefined;
    if (op === undefined) throw new Error(`the document has no ${method} ${template}`);
    const responses = op.responses as Obj;
    const r = (responses[String(status)] ?? responses[`${String(status)[0]}XX`]) as Obj | undefined;
    const content = r?.content as Obj | undefined;
    return (content?.['application/json'] as Obj | undefined)?.schema as Obj | undefined;
  }

  component(name: string): Obj {
    return ((this.doc.components as Obj).schemas as Obj)[name] as Obj;
  }
}
