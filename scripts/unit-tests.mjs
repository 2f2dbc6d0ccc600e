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
// A test that hangs (a deadlocked socket, a child that never exits) fails after 10
// minutes instead of silently using up CI's whole budget; tests that need longer say so.
const timeout = '--test-timeout=600000';
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=dot', timeout, ...process.argv.slice(2), ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
