// The generated server README's lifecycle examples (issue 9) are copy-pasteable: a
// server directory with an ONNX and a PMML model (two versions, a baseline) is
// compiled, its README read, and every curl line of the lifecycle sections that needs
// no token or special environment is run with sh against the real server.mjs (routing
// with a shadow configured), pointed at its port. A line fails the test when its
// command fails: curl cannot connect, or the grep it pipes into finds nothing (the
// header or metric it shows is not there).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileServerToDir } from '../../src/server-api.js';
import { DRIFT_PMML, drawRows, rowsCsv } from './support/capture-drift-fixtures.js';
import { removeTempDirs, startServer, tempDir, type RunningServer } from './support/server-process.js';

const MLP = fileURLToPath(new URL('../../fixtures/onnx/mlp/model.onnx', import.meta.url));
const HAS_CURL = spawnSync('curl', ['--version']).status === 0;

const LIFECYCLE_SECTIONS = ['Versions and hot updates', 'Environments: profiles, auth, rate limits, CORS', 'Routing between versions', 'Data capture and drift monitoring'];

let server: RunningServer | undefined;
after(async () => {
  if (server !== undefined) await server.stop();
  removeTempDirs();
});

/** The text of a `## title` section. */
function section(readme: string, title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has a "${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The lines of the section's ```sh blocks. */
function shellLines(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    // Join continued lines (a trailing backslash).
    out.push(...m[1].replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')));
  }
  return out;
}

test('every lifecycle section of the generated README has curl examples that work against server.mjs', { skip: HAS_CURL ? false : 'curl is not installed' }, async (t) => {
  const work = tempDir('mlc-readme-');
  const out = join(work, 'srv');
  const pmml = join(work, 'drifty.pmml');
  writeFileSync(pmml, DRIFT_PMML);
  const data = join(work, 'train.csv');
  writeFileSync(data, rowsCsv(drawRows(500, 3)));
  await compileServerToDir(MLP, out, { name: 'mlp' });
  await compileServerToDir(pmml, out, { name: 'drifty', modelVersion: '1', baseline: data });
  await compileServerToDir(pmml, out, { name: 'drifty', modelVersion: '2', baseline: data });
  const readme = readFileSync(join(out, 'README.md'), 'utf8');
  const name = /^curl -si http:\/\/localhost:8080\/v2\/models\/([A-Za-z0-9._-]+) \| grep/m.exec(section(readme, 'Versions and hot updates'))?.[1];
  assert.ok(name !== undefined, 'the versions section shows the X-Model-* headers of a model');
  // Routing with a shadow for the model the examples use (it needs two versions: drifty has them).
  const routed = name === 'drifty' ? 'drifty' : 'mlp';
  if (routed === 'drifty') writeFileSync(join(out, 'mlcompile.yaml'), 'routing:\n  drifty:\n    primary: "1"\n    shadow: { version: "2" }\n');
  const running = await startServer(out, { MLCOMPILE_WATCH: '0' });
  server = running;

  const ran: string[] = [];
  for (const title of LIFECYCLE_SECTIONS) {
    const lines = shellLines(section(readme, title));
    assert.ok(lines.some((l) => l.startsWith('curl ')), `"${title}" has a curl example`);
    for (const line of lines) {
      // Lines for another environment (a token, a rate limit, a preflight) are checked by the profile tests.
      if (!line.startsWith('curl ') || line.includes('$TOKEN') || line.includes('OPTIONS') || line.includes('Authorization')) continue;
      const command = line.replaceAll('http://localhost:8080', running.url);
      const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 0, `README (${title}): ${line}\nexit ${r.status}\n${r.stdout}${r.stderr}`);
      // An answer from the server, not an error page: JSON errors say "error".
      if (!line.includes('/load') && !line.includes('/unload')) assert.doesNotMatch(r.stdout, /"code":"MLS_ERR_/, `README (${title}): ${line}\n${r.stdout}`);
      ran.push(line);
      // Shadow scoring runs after the answer: give it a moment before /metrics is read.
      if (line.includes('/infer')) await new Promise((res) => setTimeout(res, 300));
    }
  }
  t.diagnostic(`ran ${ran.length} README curl lines against server.mjs`);
  assert.ok(ran.length >= 8, `ran ${ran.length} curl lines`);
});
