// model.ts → model.mjs and model.cjs with esbuild: the runtime kernels the model
// imports are bundled and tree-shaken, so the outputs import nothing at all.

import { build } from 'esbuild';

export interface Bundles {
  readonly esm: string;
  readonly cjs: string;
  /** The runtime source files the model imports, relative to resolveDir (sorted). */
  readonly runtimeFiles: readonly string[];
}

/** String literals longer than this are kept out of esbuild (large embedded weights). */
const BIG_LITERAL = 4096;

/**
 * Large base64 literals (weights) are swapped for short placeholders while esbuild
 * runs and put back afterwards: esbuild would otherwise scan and copy tens of MB of
 * text twice. Base64 has no quotes or backslashes, so the swap is exact.
 */
function hideBigLiterals(source: string): { text: string; restore: (bundled: string) => string } {
  // A plain scan, not a regular expression: a 30 MB match overflows the regexp engine's stack.
  const saved: string[] = [];
  const parts: string[] = [];
  let from = 0;
  let open = source.indexOf('"');
  while (open >= 0) {
    const close = source.indexOf('"', open + 1);
    if (close < 0) break;
    if (close - open - 1 > BIG_LITERAL && isBase64(source, open + 1, close)) {
      parts.push(source.slice(from, open), `"__mlcompile_literal_${saved.length}__"`);
      saved.push(source.slice(open + 1, close));
      from = close + 1;
      open = source.indexOf('"', from);
    } else {
      open = close; // the closing quote may open the next literal; a wrong pairing only skips a chance to hide
    }
  }
  parts.push(source.slice(from));
  const restore = (bundled: string): string =>
    saved.length === 0 ? bundled : bundled.replace(/"__mlcompile_literal_(\d+)__"/g, (_m, k: string) => `"${saved[Number(k)]}"`);
  return { text: parts.join(''), restore };
}

function isBase64(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
    if (!ok) return false;
  }
  return true;
}

export async function bundleModule(source: string, resolveDir: string, header: string): Promise<Bundles> {
  const hidden = hideBigLiterals(source);
  const common = {
    stdin: { contents: hidden.text, resolveDir, loader: 'ts' as const, sourcefile: 'model.ts' },
    // Paths in the output's comments and the metafile are relative to this directory, not to the
    // caller's working directory: same bytes from anywhere, and runtimeFiles found from anywhere.
    absWorkingDir: resolveDir,
    bundle: true,
    write: false,
    platform: 'neutral' as const,
    target: 'es2022',
    treeShaking: true,
    legalComments: 'none' as const,
    charset: 'utf8' as const,
    banner: { js: header },
    logLevel: 'silent' as const,
  };
  const [esm, cjs] = await Promise.all([
    build({ ...common, format: 'esm', metafile: true }),
    build({ ...common, format: 'cjs' }),
  ]);
  const esmText = esm.outputFiles?.[0]?.text;
  const cjsText = cjs.outputFiles?.[0]?.text;
  if (esmText === undefined || cjsText === undefined) throw new Error('esbuild produced no output');
  const runtimeFiles = Object.keys(esm.metafile?.inputs ?? {}).filter((f) => f.startsWith('runtime/')).sort();
  return { esm: hidden.restore(esmText), cjs: hidden.restore(cjsText), runtimeFiles };
}
