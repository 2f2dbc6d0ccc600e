// ProgramBuilder: the only mutable thing in the IR. Front ends and passes use it
// to allocate values and constants, then freeze the result into a Program.

import type { Tensor } from '../../runtime/tensor/tensor.js';
import type { Constant, ConstId, JsonValue, Param, Program, StateDecl, Stmt, ValueId, ValueInfo } from './program.js';
import type { IrType } from './types.js';

export class ProgramBuilder {
  private readonly values: ValueInfo[] = [];
  private readonly constants: Constant[] = [];
  readonly inputs: Param[] = [];
  readonly outputs: Param[] = [];
  readonly state: StateDecl[] = [];
  readonly body: Stmt[] = [];
  readonly meta: Record<string, JsonValue> = {};

  constructor(
    readonly name: string,
    readonly format: Program['format'],
    readonly source: Program['source'],
  ) {}

  value(name: string, type: IrType): ValueId {
    const id = this.values.length;
    this.values.push({ id, name, type });
    return id;
  }

  /** Refines a value's type (shape inference learns more after creation). */
  setType(id: ValueId, type: IrType): void {
    const v = this.values[id];
    this.values[id] = { ...v, type };
  }

  typeOf(id: ValueId): IrType {
    return this.values[id].type;
  }

  nameOf(id: ValueId): string {
    return this.values[id].name;
  }

  constant(name: string, type: IrType, value: Tensor | JsonValue): ConstId {
    const id = this.constants.length;
    this.constants.push({ id, name, type, value });
    return id;
  }

  constantValue(id: ConstId): Constant {
    return this.constants[id];
  }

  build(): Program {
    return {
      name: this.name,
      format: this.format,
      source: this.source,
      inputs: this.inputs.slice(),
      outputs: this.outputs.slice(),
      values: this.values.slice(),
      constants: this.constants.slice(),
      state: this.state.slice(),
      body: this.body.slice(),
      meta: { ...this.meta },
    };
  }

  /** Starts a builder from an existing program (for passes). */
  static from(p: Program): ProgramBuilder {
    const b = new ProgramBuilder(p.name, p.format, p.source);
    b.values.push(...p.values);
    b.constants.push(...p.constants);
    b.inputs.push(...p.inputs);
    b.outputs.push(...p.outputs);
    b.state.push(...p.state);
    b.body.push(...p.body);
    Object.assign(b.meta, p.meta);
    return b;
  }
}
