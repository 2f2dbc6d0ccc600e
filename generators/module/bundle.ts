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
const BIG_LITERAL_PATTERN = new RegExp(`"([A-Za-z0-9+/=]{${BIG_LITERAL + 1},})"`, 'g');

/**
 * Large base64 literals (weights) are swapped for short placeholders while esbuild
 * runs and put back afterwards: esbuild would otherwise scan and copy tens of MB of
 * text twice. Base64 has no quotes or backslashes, so the swap is exact.
 */
function hideBigLiterals(source: string): { text: string; restore: (bundled: string) => string } {
  const saved: string[] = [];
  const text = source.replace(BIG_LITERAL_PATTERN, (_m, body: string) => {
    saved.push(body);
    return `"__mlcompile_literal_${saved.length - 1}__"`;
  });
  const restore = (bundled: string): string =>
    saved.length === 0 ? bundled : bundled.replace(/"__mlcompile_literal_(\d+)__"/g, (_m, k: string) => `"${saved[Number(k)]}"`);
  return { text, restore };
}

export async function bundleModule(source: string, resolveDir: string, header: string): Promise<Bundles> {
  const hidden = hideBigLiterals(source);
  const common = {
    stdin: { contents: hidden.text, resolveDir, loader: 'ts' as const, sourcefile: 'model.ts' },
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
