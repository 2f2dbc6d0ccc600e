// Types of a PMML module: the `Input` and `Output` records, named after the fields
// (quoted where a name is not an identifier), and model.d.ts. Shared by model.ts
// (so the readable source type-checks on its own) and model.d.ts.
//
// Value types follow the fields' PMML types (docs/pmml.md):
//   double, float, integer     number
//   string                     string (a union of the valid values for categorical fields)
//   boolean                    boolean
//   date, time, dateTime...    inputs: number | string (ISO text or the count of days/seconds); outputs: number
// Numeric categorical fields are unions of their numeric values. Every input is optional and
// may be null (a missing value); every output may be null; `$error` is set when the record
// was refused (invalidValueTreatment="returnInvalid").

import type { Program } from '../../src/ir/program.js';
import { pmmlMeta, type PmmlFieldMeta } from '../../src/frontends/pmml/lower.js';
import { COMPILER_NAME, COMPILER_VERSION } from '../../src/version.js';
import { literal, num, str } from '../code-writer.js';
import { moduleMetadata, type FieldSpec, type ModuleOptions } from './emit-program.js';

/** A PMML field in `metadata.inputs`/`outputs`: the FieldSpec shape with the PMML type as `type`. */
export interface PmmlFieldSpec extends FieldSpec {
  readonly optype: string;
  readonly usageType?: string;
  readonly feature?: string;
  readonly values?: readonly (string | number | boolean | null)[];
}

function fieldSpecOf(f: PmmlFieldMeta): PmmlFieldSpec {
  return {
    name: f.name,
    type: f.dataType,
    shape: null,
    optype: f.optype,
    ...(f.usageType !== undefined ? { usageType: f.usageType } : {}),
    ...(f.feature !== undefined ? { feature: f.feature } : {}),
    ...(f.values !== undefined ? { values: f.values } : {}),
  };
}

/** metadata.inputs and metadata.outputs of a PMML module. */
export function pmmlFieldSpecs(p: Program): { inputs: PmmlFieldSpec[]; outputs: PmmlFieldSpec[] } {
  const meta = pmmlMeta(p);
  return { inputs: meta.fields.inputs.map(fieldSpecOf), outputs: meta.fields.outputs.map(fieldSpecOf) };
}

/** The module's `metadata`: the ONNX modules' shape, with PMML field specs. */
export function pmmlModuleMetadata(p: Program, opts: ModuleOptions): Record<string, unknown> {
  return { ...moduleMetadata(p, opts), ...pmmlFieldSpecs(p) };
}

/** Unions longer than this fall back to the base type (a d.ts stays readable). */
const MAX_UNION = 256;

const NUMERIC = new Set(['double', 'float', 'integer']);

/** The key of a property: bare when it is an identifier, else a string literal. */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : str(name);
}

function baseType(f: PmmlFieldMeta, input: boolean): string {
  if (f.dataType === 'string') return 'string';
  if (f.dataType === 'boolean') return 'boolean';
  if (NUMERIC.has(f.dataType)) return 'number';
  return input ? 'number | string' : 'number';
}

/** A literal type for one valid value, or undefined when the value cannot be one of the field's type. */
function literalType(v: unknown, f: PmmlFieldMeta): string | undefined {
  if (f.dataType === 'string') return typeof v === 'string' ? str(v) : undefined;
  if (f.dataType === 'boolean') return typeof v === 'boolean' ? String(v) : undefined;
  if (NUMERIC.has(f.dataType)) return typeof v === 'number' && Number.isFinite(v) ? num(v) : undefined;
  return undefined;
}

/** The TypeScript type of a field's value (without `| null`). */
export function valueType(f: PmmlFieldMeta, input: boolean): string {
  const values = f.values;
  if ((f.optype === 'categorical' || f.optype === 'ordinal') && values !== undefined && values.length > 0 && values.length <= MAX_UNION) {
    const parts: string[] = [];
    for (const v of values) {
      const t = literalType(v, f);
      if (t === undefined) return baseType(f, input);
      if (!parts.includes(t)) parts.push(t);
    }
    return parts.join(' | ');
  }
  return baseType(f, input);
}

function describe(f: PmmlFieldMeta): string {
  const what = f.feature !== undefined ? `, ${f.feature}` : f.usageType !== undefined && f.usageType !== 'active' ? `, ${f.usageType}` : '';
  return `/** PMML ${f.dataType}, ${f.optype}${what} */`;
}

/**
 * `export interface Input {...}` and `export interface Output {...}` as lines.
 * For an AssociationModel, an item field takes the transaction's items as an array.
 */
export function recordInterfaces(p: Program): string[] {
  const meta = pmmlMeta(p);
  const items = meta.modelElement === 'AssociationModel';
  const lines: string[] = [];
  lines.push('/** One record to score: a missing key, `undefined` or `null` is a missing value. */');
  lines.push('export interface Input {');
  for (const f of meta.fields.inputs) {
    const t = valueType(f, true);
    const many = items && (f.usageType === undefined || f.usageType === 'active') ? ` | readonly (${t})[]` : '';
    lines.push(`  ${describe(f)}`);
    lines.push(`  ${propertyKey(f.name)}?: ${t}${many} | null;`);
  }
  lines.push('}');
  lines.push('/** The result of one record: every field is present, null when the model gives no value. */');
  lines.push('export interface Output {');
  let hasError = false;
  for (const f of meta.fields.outputs) {
    if (f.name === '$error') hasError = true;
    lines.push(`  ${describe(f)}`);
    lines.push(`  ${propertyKey(f.name)}: ${valueType(f, false)} | null;`);
  }
  if (!hasError) {
    lines.push('  /** Set (and every other field null) when the record was refused as invalid (invalidValueTreatment="returnInvalid"). */');
    lines.push('  $error?: string;');
  }
  if (meta.modelElement === 'MiningModel') {
    lines.push('  /** multipleModelMethod="selectAll" only: every selected segment\'s own result, in document order. */');
    lines.push('  $segments?: ReadonlyArray<{ readonly segmentId: string; readonly result: Readonly<Record<string, unknown>> }>;');
  }
  lines.push('}');
  return lines;
}

export function emitPmmlDts(p: Program, opts: ModuleOptions): string {
  const lines: string[] = [];
  lines.push(`// Generated by ${COMPILER_NAME} ${COMPILER_VERSION}. Do not edit.`);
  lines.push(...recordInterfaces(p));
  lines.push(`export declare const metadata: ${literal(pmmlModuleMetadata(p, opts))};`);
  lines.push('/** Scores one record; never throws on bad data (see Output.$error). */');
  lines.push('export declare function predict(record: Input): Output;');
  lines.push('/** Scores each record in turn. */');
  lines.push('export declare function predictBatch(records: readonly Input[]): Output[];');
  return lines.join('\n') + '\n';
}
