// The batch machinery's parts: records split from bytes whatever the chunking (with
// their offsets), CSV cells, the output spool spilling to a file in order, row
// ranges and shards, dims of a row.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLines, parseShard, shardRange } from '../../runtime/server/batch-command.js';
import { resolveDims, shortestFloat32 } from '../../runtime/server/batch-codec.js';
import { RecordSplitter, csvCell, parseCsvCells, type RawRecord } from '../../runtime/server/batch-records.js';
import { Spool } from '../../runtime/server/batch-spool.js';

function split(text: string, csv: boolean, chunk: number, max?: number): RawRecord[] {
  const bytes = Buffer.from(text, 'utf8');
  const s = new RecordSplitter(csv, 0, 1, max);
  const out: RawRecord[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...s.push(bytes.subarray(i, i + chunk)));
  out.push(...s.end());
  return out;
}

test('records: the same whatever the chunk size; CRLF, BOM, quoted line breaks, offsets and lines', () => {
  const text = '\ufeffa,b\r\n1,"x\ny, ""z"""\n\n2,ü€\n"3\r\n",4';
  const want = [
    { text: 'a,b', end: 8, line: 1, lines: 1 },
    { text: '1,"x\ny, ""z"""', end: 23, line: 2, lines: 2 },
    { text: '', end: 24, line: 4, lines: 1 },
    { text: '2,ü€', end: 32, line: 5, lines: 1 }, // ü is 2 bytes, € 3
    { text: '"3\r\n",4', end: 39, line: 6, lines: 2 },
  ];
  for (const chunk of [1, 2, 3, 5, 7, 64]) {
    const got = split(text, true, chunk).map((r) => ({ text: r.text, end: r.end, line: r.line, lines: r.lines }));
    assert.deepEqual(got, want, `chunk ${chunk}`);
  }
  // JSON Lines split at every newline (quotes mean nothing there).
  assert.deepEqual(split('{"a": "x"}\n{"b": "\\"}\n"}', false, 3).map((r) => r.text), ['{"a": "x"}', '{"b": "\\"}', '"}']);
  // A resumed splitter starts at an offset and line.
  const resumed = new RecordSplitter(false, 100, 7).push(Buffer.from('x\ny\n'));
  assert.deepEqual(resumed.map((r) => [r.end, r.line]), [[102, 7], [104, 8]]);
  // A record over the limit is reported as such, and the next one is read.
  const long = split(`${'x'.repeat(50)}\nok\n`, false, 8, 20);
  assert.deepEqual(long.map((r) => [r.tooLong, r.text, r.end]), [[true, '', 51], [false, 'ok', 54]]);
});

test('CSV cells and cell output', () => {
  assert.deepEqual(parseCsvCells('a,"b,c","d""e",,'), ['a', 'b,c', 'd"e', '', '']);
  assert.deepEqual(parseCsvCells('"x"y,z'), ['xy', 'z']);
  assert.equal(parseCsvCells('"open,1'), undefined);
  assert.deepEqual(parseCsvCells(''), ['']);
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell(' padded'), '" padded"');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
});

test('the spool keeps order through memory and its temporary file, with a reader that starts late or keeps up', async () => {
  const pieces = Array.from({ length: 400 }, (_, i) => `${i}:${'x'.repeat(i % 37)}\n`);
  const expected = pieces.join('');
  // Late reader: everything is written first (much more than the 1 KiB of memory).
  const late = new Spool(true, 1024);
  for (const p of pieces) await late.write(p);
  late.end();
  const chunks: Buffer[] = [];
  for await (const c of late.chunks()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).toString('utf8'), expected);
  // A reader running alongside, slower than the writer now and then.
  const live = new Spool(false, 256);
  const reading = (async () => {
    const got: Buffer[] = [];
    let n = 0;
    for await (const c of live.chunks()) {
      got.push(c);
      if (++n % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    return Buffer.concat(got).toString('utf8');
  })();
  for (const [i, p] of pieces.entries()) {
    await live.write(p);
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 2));
  }
  live.end();
  assert.equal(await reading, expected);
  // A failure reaches the reader.
  const failing = new Spool();
  await failing.write('a\n');
  failing.fail(new Error('stop'));
  await assert.rejects(async () => { for await (const _ of failing.chunks()) { /* drain */ } }, /stop/);
});

test('--lines and --shard: ranges of data rows that cover a file exactly once', () => {
  assert.deepEqual(parseLines('10:20'), { first: 10, end: 20 });
  assert.deepEqual(parseLines('5:'), { first: 5, end: undefined });
  assert.deepEqual(parseLines(':7'), { first: 0, end: 7 });
  assert.throws(() => parseLines('20:10'), /END is before START/);
  assert.throws(() => parseLines('1-2'), /START:END/);
  for (const rows of [0, 1, 7, 100, 1001]) {
    for (const count of [1, 2, 3, 8]) {
      const ranges = Array.from({ length: count }, (_, i) => shardRange(i, count, rows));
      assert.equal(ranges[0].first, 0);
      assert.equal(ranges[count - 1].end, rows);
      for (let i = 1; i < count; i++) assert.equal(ranges[i].first, ranges[i - 1].end);
      for (const r of ranges) assert.ok((r.end as number) - r.first <= Math.ceil(rows / count));
    }
  }
  assert.deepEqual(parseShard('2/5', {}), { index: 2, count: 5 });
  assert.deepEqual(parseShard('auto', { JOB_COMPLETION_INDEX: '3', MLCOMPILE_SHARD_COUNT: '4' }), { index: 3, count: 4 });
  assert.deepEqual(parseShard('auto', { JOB_COMPLETION_INDEX: '0', JOB_COMPLETIONS: '2' }), { index: 0, count: 2 });
  assert.throws(() => parseShard('auto', {}), /JOB_COMPLETION_INDEX/);
  assert.throws(() => parseShard('auto', { JOB_COMPLETION_INDEX: '1' }), /MLCOMPILE_SHARD_COUNT/);
  assert.throws(() => parseShard('4/4', {}), /does not exist/);
});

test('dims of a row, and float32 printed shortest', () => {
  assert.deepEqual(resolveDims([-1, 4], 4), [1, 4]);
  assert.deepEqual(resolveDims([-1, -1], 6), [1, 6]);
  assert.deepEqual(resolveDims([2, 3], 6), [2, 3]);
  assert.match(String(resolveDims([-1, 4], 6)), /6 values do not fit/);
  assert.match(String(resolveDims([3], 2)), /needs 3 values, got 2/);
  assert.deepEqual(resolveDims(null, 5), [5]);
  assert.equal(shortestFloat32(Math.fround(0.1)), 0.1);
  assert.equal(shortestFloat32(Math.fround(1 / 3)), 0.33333334);
  assert.equal(shortestFloat32(3), 3);
  assert.ok(Number.isNaN(shortestFloat32(NaN)));
});
