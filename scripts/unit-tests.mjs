// Runs every test/**/*.test.ts with Node's built-in runner (Node 20's --test does
// not expand globs itself). Extra arguments are passed to node --test.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}
const files = find(join(root, 'test')).sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', ...process.argv.slice(2), ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
