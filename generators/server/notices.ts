// THIRD-PARTY-NOTICES.txt: the licences of the packages bundled into server.mjs
// (fastify, prom-client and their dependencies), which their licences ask to ship
// with copies of the code. Sorted by package name; no absolute paths.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface PackageJson {
  name?: string;
  version?: string;
  license?: string | { type?: string };
  homepage?: string;
}

function licenseText(dir: string): string | undefined {
  const file = readdirSync(dir).sort().find((f) => /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i.test(f));
  return file === undefined ? undefined : readFileSync(join(dir, file), 'utf8').replace(/\r\n/g, '\n').trim();
}

/** `packageDirs` are relative to `root` (as bundleServer reports them). */
export function emitNotices(root: string, packageDirs: readonly string[], header: string): string {
  const entries: { name: string; text: string }[] = [];
  for (const rel of packageDirs) {
    const dir = join(root, rel);
    const pkgFile = join(dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as PackageJson;
    const name = pkg.name ?? rel;
    const license = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type ?? 'see the package';
    const lines = [`${name} ${pkg.version ?? ''}`.trim(), `License: ${license}`];
    if (pkg.homepage !== undefined) lines.push(`Homepage: ${pkg.homepage}`);
    const text = licenseText(dir);
    if (text !== undefined) lines.push('', text);
    entries.push({ name, text: lines.join('\n') });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A package bundled from two places (nested node_modules) is listed once per version.
  const seen = new Set<string>();
  const unique = entries.filter((e) => !seen.has(e.text) && seen.add(e.text));
  const rule = '-'.repeat(78);
  return `${header}\n\n${unique.map((e) => e.text).join(`\n\n${rule}\n\n`)}\n`;
}
