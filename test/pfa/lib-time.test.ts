// PFA date and time library (time.*): the conformance suite's direct trials, the
// catalogue signatures, and what the suite leaves out: a cross-check of every calendar
// field against JavaScript's UTC calendar over the whole range, leap years, zones with
// odd offsets, daylight-saving gaps and overlaps, range limits and error precedence.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as time from '../../runtime/pfa/lib/time.js';
import { PfaError, type LibFunction, type LibImpl } from '../../runtime/pfa/types.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { PFA_DATA, runDirect } from './support/direct.js';

const FUNCTIONS = Object.values(time).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);

function impl(fn: LibFunction): LibImpl {
  const types = matchCall(fn, fn.sigs[0].params.map((p) => ({ kind: p.type }) as never));
  assert.ok(types, fn.name);
  return fn.make(types, { random: Math.random, log: () => undefined });
}

const year = impl(time.timeYear), month = impl(time.timeMonthOfYear), dayOfMonth = impl(time.timeDayOfMonth);
const dayOfYear = impl(time.timeDayOfYear), dayOfWeek = impl(time.timeDayOfWeek), hour = impl(time.timeHourOfDay);
const minute = impl(time.timeMinuteOfHour), second = impl(time.timeSecondOfMinute), make = impl(time.timeMakeTimestamp);

const utc = (...f: [number, number, number?, number?, number?, number?]): number => Date.UTC(...f) / 1000;

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code);
}

test('time.*: every function of the catalogue, with its signatures', () => {
  const catalogue = JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; family: string; signatures: { params: unknown; ret: unknown }[] }[] };
  const expected = catalogue.functions.filter((f) => f.family === 'time');
  assert.deepEqual(FUNCTIONS.map((f) => f.name).sort(), expected.map((f) => f.name).sort());
  for (const f of expected) {
    const mine = FUNCTIONS.find((x) => x.name === f.name) as LibFunction;
    assert.deepEqual(JSON.parse(JSON.stringify(mine.sigs)), f.signatures.map((sig) => ({ params: sig.params, ret: sig.ret })), f.name);
  }
});

test('time.*: conformance trials (direct)', () => {
  for (const fn of FUNCTIONS) {
    const r = runDirect('time', fn);
    assert.ok(r.tests > 0, `${fn.name} has tests`);
    assert.deepEqual(r.failures, [], fn.name);
    assert.equal(r.passed, r.trials, fn.name);
  }
});

test('UTC fields agree with the proleptic Gregorian calendar of Date over the whole range', () => {
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const samples = [-62135596800, 253402300799, -0.5, 0, 951782400, 951868800, 4107542399, -2208988800];
  for (let i = 0; i < 3000; i++) samples.push(Math.floor(-62135596800 + rand() * (253402300799 + 62135596800)) + (i % 2 ? 0.75 : 0));
  for (const ts of samples) {
    const d = new Date(Math.floor(ts) * 1000);
    const zone = ts > 0 ? 'Etc/UTC' : '';
    assert.equal(year(ts, zone), d.getUTCFullYear(), `year ${ts}`);
    assert.equal(month(ts, zone), d.getUTCMonth() + 1, `month ${ts}`);
    assert.equal(dayOfMonth(ts, zone), d.getUTCDate(), `day ${ts}`);
    assert.equal(dayOfWeek(ts, zone), (d.getUTCDay() + 6) % 7, `weekday ${ts}`);
    const jan1 = new Date(0);
    jan1.setUTCFullYear(d.getUTCFullYear(), 0, 1);
    assert.equal(dayOfYear(ts, zone), Math.floor((d.getTime() - jan1.getTime()) / 86400000) + 1, `day of year ${ts}`);
    assert.equal(hour(ts, zone), d.getUTCHours(), `hour ${ts}`);
    assert.equal(minute(ts, zone), d.getUTCMinutes(), `minute ${ts}`);
    assert.equal(second(ts, zone), d.getUTCSeconds(), `second ${ts}`);
  }
  // The first expressible day was a Monday; fractions of a second round down in time.
  assert.equal(dayOfWeek(-62135596800, ''), 0);
  assert.equal(second(-0.25, ''), 59);
  assert.equal(year(253402300799, ''), 9999);
  throwsCode(() => year(253402300799.5, ''), 40001); // past the last whole second
});

test('zone fields agree with Intl at random instants and around every transition', () => {
  let seed = 777;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const zone of ['America/Chicago', 'Europe/London', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns', 'Africa/Monrovia']) {
    const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    const instants: number[] = [];
    for (let i = 0; i < 300; i++) instants.push(Math.floor(utc(1850, 0, 1) + rand() * (utc(2100, 0, 1) - utc(1850, 0, 1))));
    // The offset changes between 1850 and 2030 (a 30-day scan, then bisection), and the seconds around them.
    const offset = (t: number): number => {
      const p = Object.fromEntries(fmt.formatToParts(new Date(t * 1000)).map((x) => [x.type, x.value]));
      return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) / 1000 - t;
    };
    let prev = utc(1850, 0, 1), before = offset(prev);
    for (let t = prev + 86400 * 30; t < utc(2030, 0, 1); t += 86400 * 30) {
      const after = offset(t);
      if (after !== before) {
        let lo = prev, hi = t;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (offset(mid) === before) lo = mid;
          else hi = mid;
        }
        instants.push(lo - 1, lo, hi, hi + 1);
      }
      prev = t;
      before = after;
    }
    assert.ok(instants.length > 300, `${zone} has offset changes`);
    for (const ts of instants) {
      const p = Object.fromEntries(fmt.formatToParts(new Date(ts * 1000)).map((x) => [x.type, Number(x.value)]));
      const mine = [year, month, dayOfMonth, hour, minute, second].map((f) => f(ts, zone));
      assert.deepEqual(mine, [p.year, p.month, p.day, p.hour, p.minute, p.second], `${zone} ${ts}`);
    }
  }
});

test('leap years: February 29th, day 366, centuries', () => {
  assert.equal(make(2000, 2, 29, 0, 0, 0, 0, ''), utc(2000, 1, 29));
  assert.equal(make(2016, 2, 29, 12, 0, 0, 0, ''), utc(2016, 1, 29, 12));
  for (const y of [1900, 2015, 2100]) throwsCode(() => make(y, 2, 29, 0, 0, 0, 0, ''), 40081);
  assert.equal(dayOfYear(utc(2016, 11, 31), ''), 366);
  assert.equal(dayOfYear(utc(2015, 11, 31), ''), 365);
  assert.equal(dayOfYear(utc(2000, 2, 1), ''), 61);
  assert.equal(dayOfYear(utc(1900, 2, 1), ''), 60);
});

test('zones: daylight saving, half- and quarter-hour offsets, the date line', () => {
  assert.equal(hour(utc(2016, 6, 1, 12), 'America/New_York'), 8);
  assert.equal(hour(utc(2016, 0, 1, 12), 'America/New_York'), 7);
  assert.equal(hour(utc(2020, 0, 1), 'Asia/Kolkata'), 5);
  assert.equal(minute(utc(2020, 0, 1), 'Asia/Kolkata'), 30);
  assert.equal(minute(utc(2020, 0, 1), 'Asia/Kathmandu'), 45);
  assert.equal(dayOfMonth(utc(2020, 0, 1, 12), 'Pacific/Kiritimati'), 2);
  assert.equal(dayOfMonth(utc(2020, 0, 1, 6), 'Pacific/Pago_Pago'), 31);
  assert.equal(year(utc(2020, 0, 1, 6), 'Pacific/Pago_Pago'), 2019);
  assert.equal(hour(0, 'Europe/London'), 1); // British Standard Time, 1968-1971
  assert.equal(hour(utc(2016, 6, 1), ''), 0);
  assert.equal(hour(utc(2016, 6, 1), 'UTC'), 0);
});

test('time.makeTimestamp: zones, daylight-saving gaps and overlaps, milliseconds', () => {
  assert.equal(make(2016, 7, 1, 8, 0, 0, 0, 'America/New_York'), utc(2016, 6, 1, 12));
  assert.equal(make(2020, 1, 1, 5, 45, 0, 250, 'Asia/Kathmandu'), utc(2020, 0, 1) + 0.25);
  // 02:30 on 2016-03-13 does not exist in Chicago: read with the offset before the change (CST).
  assert.equal(make(2016, 3, 13, 2, 30, 0, 0, 'America/Chicago'), utc(2016, 2, 13, 8, 30));
  // 01:30 on 2016-11-06 happens twice in Chicago: the first one (CDT) is taken.
  assert.equal(make(2016, 11, 6, 1, 30, 0, 0, 'America/Chicago'), utc(2016, 10, 6, 6, 30));
  // Round trip through the field getters, away from the transitions.
  for (const [y, mo, d, h, mi, s] of [[1999, 12, 31, 23, 59, 59], [2016, 3, 13, 3, 0, 0], [1970, 1, 1, 0, 0, 0], [2345, 6, 7, 8, 9, 10]]) {
    const ts = make(y, mo, d, h, mi, s, 0, 'America/Chicago') as number;
    assert.deepEqual([year, month, dayOfMonth, hour, minute, second].map((f) => f(ts, 'America/Chicago')), [y, mo, d, h, mi, s]);
  }
  for (const bad of [[0, 1, 1, 0, 0, 0, 0], [10000, 1, 1, 0, 0, 0, 0], [2016, 13, 1, 0, 0, 0, 0], [2016, 4, 31, 0, 0, 0, 0],
    [2016, 1, 0, 0, 0, 0, 0], [2016, 1, 1, 24, 0, 0, 0], [2016, 1, 1, 0, 60, 0, 0], [2016, 1, 1, 0, 0, 60, 0], [2016, 1, 1, 0, 0, 0, 1000],
    [2016, 1, 1, 0, 0, 0, -1]]) {
    throwsCode(() => make(...bad, 'Etc/UTC'), 40081);
  }
  throwsCode(() => make(2016, 1, 1, 0, 0, 0, 0, 'Mars/Olympus_Mons'), 40080);
});

test('range limits, unknown zones and the order of errors', () => {
  assert.equal(year(-62135596800, ''), 1);
  throwsCode(() => year(-62135596800.5, ''), 40001);
  throwsCode(() => year(253402300800, ''), 40001);
  throwsCode(() => hour(NaN, ''), 40051);
  throwsCode(() => hour(Infinity, 'Etc/UTC'), 40051);
  for (const zone of ['where/ever', '+01:00', '-05:00', 'Z', ' UTC', '0']) throwsCode(() => minute(0, zone), 40060);
  // A bad range is reported before a bad zone, and a bad zone before a bad timestamp.
  const isHour = impl(time.timeIsHourOfDay);
  throwsCode(() => isHour(NaN, 'where/ever', 5, 5), 40110);
  throwsCode(() => isHour(NaN, 'where/ever', 5, 6), 40111);
  throwsCode(() => isHour(NaN, '', 5, 6), 40112);
  throwsCode(() => isHour(0, '', NaN, 6), 40110);
});

test('range tests, weekends and working hours', () => {
  const monday9 = utc(2016, 0, 4, 9), saturday = utc(2016, 0, 9, 12);
  const isWork = impl(time.timeIsWorkHours), isWeekend = impl(time.timeIsWeekend);
  assert.equal(dayOfWeek(monday9, ''), 0);
  assert.equal(isWork(monday9, ''), true);
  assert.equal(isWork(monday9 - 1, ''), false);
  assert.equal(isWork(utc(2016, 0, 8, 16, 59, 59), ''), true);
  assert.equal(isWork(utc(2016, 0, 8, 17), ''), false);
  assert.equal(isWork(saturday, ''), false);
  assert.equal(isWeekend(saturday, ''), true);
  assert.equal(isWeekend(utc(2016, 0, 10, 23, 59, 59), ''), true);
  assert.equal(isWeekend(utc(2016, 0, 11), ''), false);
  assert.equal(isWork(monday9, 'America/Chicago'), false); // 03:00 in Chicago
  const isDow = impl(time.timeIsDayOfWeek), isMonth = impl(time.timeIsMonthOfYear), isSecond = impl(time.timeIsSecondOfMinute);
  assert.equal(isDow(saturday, '', 5, 7), true);
  assert.equal(isDow(saturday, '', 0, 5), false);
  assert.equal(isMonth(utc(2016, 11, 31), '', 12, 12.5), true);
  assert.equal(isMonth(utc(2016, 11, 31, 20), 'Asia/Tokyo', 12, 13), false); // already January there
  assert.equal(isSecond(utc(2016, 0, 1, 0, 0, 30), '', 29.5, 30.5), true);
  assert.equal(isSecond(utc(2016, 0, 1, 0, 0, 30), '', 30.5, 60), false);
  assert.equal(impl(time.timeIsDayOfYear)(utc(2016, 11, 31), '', 366, 367), true);
  assert.equal(impl(time.timeIsDayOfMonth)(utc(2016, 1, 29), '', 29, 30), true);
  assert.equal(impl(time.timeIsMinuteOfHour)(utc(2016, 1, 29, 0, 59), '', -1, 59), false);
});
