// The core's link to the expression compiler: everything the core needs from
// expressions.ts, re-exported from one place.

export { compileExpression, expressionDataType, isExpressionElement } from './expressions.js';
export type { DefinedFunction, ExpressionContext } from './expressions.js';
