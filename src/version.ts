// The compiler's name and version, recorded in every generated file and module metadata.
export const COMPILER_NAME = 'mlcompile';
export const COMPILER_VERSION = '0.1.0';
