// model.ts → model.mjs and model.cjs with esbuild: the runtime kernels the model
// imports are bundled and tree-shaken, so the outputs import nothing at all.

import { build } from 'esbuild';

export interface Bundles {
  readonly esm: string;
  readonly cjs: string;
  /** The runtime source files the model imports, relative to resolveDir (sorted). */
  readonly runtimeFiles: readonly string[];
}

export async function bundleModule(source: string, resolveDir: string, header: string): Promise<Bundles> {
  const common = {
    stdin: { contents: source, resolveDir, loader: 'ts' as const, sourcefile: 'model.ts' },
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
  if (esmText === undefined || cjsText === undefined) throw new Error("esbuild produced no output");
  const runtimeFiles = Object.keys(esm.metafile?.inputs ?? {}).filter((f) => f.startsWith('runtime/')).sort();
  return { esm: esmText, cjs: cjsText, runtimeFiles };
}
