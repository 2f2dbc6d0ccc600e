// The CLI's only writers: results on stdout, messages on stderr. Nothing outside
// src/cli prints (STYLE §8.1).

export function print(line = ''): void {
  process.stdout.write(line + '\n');
}

export function printErr(line: string): void {
  process.stderr.write(line + '\n');
}

export function warn(message: string): void {
  printErr(`mlcompile: warning: ${message}`);
}
