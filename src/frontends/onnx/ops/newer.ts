import type { AnyOpDef } from './types.js';

export const OPS: readonly AnyOpDef[] = [];
