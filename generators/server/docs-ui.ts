// DIR/docs-ui/: the files of the interactive docs (Swagger UI, from the
// swagger-ui-dist package), which the server serves at /docs/<file>
// (runtime/server/docs-ui.ts). They stay files beside server.mjs rather than
// strings inside it: server.mjs keeps its size (the UI is ~2 MB), and the
// directory remains self-contained (the Dockerfile copies docs-ui/ too).
// Their licences are copied beside them and listed in THIRD-PARTY-NOTICES.txt.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SWAGGER_UI_FILES, SWAGGER_UI_LICENSE_FILES } from '../../runtime/server/docs-ui.js';

export const DOCS_UI_DIR = 'docs-ui';

/** The swagger-ui-dist package directory, wherever npm put it; undefined when it is not installed. */
export function swaggerUiPackageDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    return undefined;
  }
}

/** Drops the source-map comment: the maps are not shipped, and a browser would ask for them. */
function withoutSourceMap(file: string, bytes: Buffer): Buffer {
  if (!file.endsWith('.js') && !file.endsWith('.css')) return bytes;
  const text = bytes.toString('utf8').replace(/\n*(\/\/# sourceMappingURL=\S+|\/\*# sourceMappingURL=[^*\s]+\s*\*\/)\s*$/, '\n');
  return Buffer.from(text, 'utf8');
}

/** The files of docs-ui/, by name (empty when swagger-ui-dist is missing: /docs then answers plain links). */
export function docsUiFiles(packageDir = swaggerUiPackageDir()): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  if (packageDir === undefined) return files;
  for (const f of [...SWAGGER_UI_FILES, ...SWAGGER_UI_LICENSE_FILES]) files.set(f, withoutSourceMap(f, readFileSync(join(packageDir, f))));
  return files;
}
