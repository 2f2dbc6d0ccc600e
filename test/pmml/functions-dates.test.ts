import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError } from '../../runtime/pmml/el.js';
import { formatDatetime, parseDatetimePattern } from '../../runtime/pmml/datetime.js';
import { parseIsoDateTime } from '../../runtime/pmml/values.js';
import { call, compiled, evaluate } from './expressions-helpers.js';

test('dateDaysSinceYear (spec example: 2003-04-01 since 1960 is 15796)', () => {
  assert.equal(evaluate('<Apply function="dateDaysSinceYear"><Constant dataType="date">2003-04-01</Constant><Constant>1960</Constant></Apply>'), 15796);
  assert.equal(call('dateDaysSinceYear', '2003-04-01', 1960), 15796);
  assert.equal(call('dateDaysSinceYear', '1970-01-01', 1970), 0);
  assert.equal(call('dateDaysSinceYear', '1969-12-31', 1970), -1);
  // year 0 (1 BC) is a leap year in the proleptic Gregorian calendar
  assert.equal(call('dateDaysSinceYear', '0001-01-01', 0), 366);
  assert.equal(call('dateDaysSinceYear', null, 1960), null);
});

test('dateSecondsSinceYear and dateSecondsSinceMidnight (spec examples)', () => {
  assert.equal(evaluate('<Apply function="dateSecondsSinceYear"><Constant dataType="dateTime">1960-01-03T03:30:03</Constant><Constant>1960</Constant></Apply>'), 185403);
  assert.equal(evaluate('<Apply function="dateSecondsSinceMidnight"><Constant dataType="dateTime">1960-01-03T05:04:03</Constant></Apply>'), 18243);
  assert.equal(evaluate('<Apply function="dateSecondsSinceMidnight"><Constant dataType="time">05:04:03</Constant></Apply>'), 18243);
  assert.equal(call('dateSecondsSinceMidnight', '1999-12-31T23:59:59'), 86399);
});

test('arguments of other temporal types are converted by their static type', () => {
  const fields = { d: 'date' as const, d60: 'dateDaysSince[1960]' as const, t: 'dateTime' as const, t80: 'dateTimeSecondsSince[1980]' as const };
  const days = (f: string) => compiled(`<Apply function="dateDaysSinceYear"><FieldRef field="${f}"/><Constant>1960</Constant></Apply>`, { fields });
  // 2003-04-01: 12143 days after 1970-01-01, 15796 after 1960-01-01
  assert.equal(days('d')({ d: 12143 }), 15796);
  assert.equal(days('d60')({ d60: 15796 }), 15796);
  assert.equal(days('t')({ t: 12143 * 86400 + 3600 }), 15796);
  const secs = compiled('<Apply function="dateSecondsSinceYear"><FieldRef field="d"/><Constant>1970</Constant></Apply>', { fields });
  assert.equal(secs({ d: 2 }), 172800);
  const mid = compiled('<Apply function="dateSecondsSinceMidnight"><FieldRef field="t80"/></Apply>', { fields });
  assert.equal(mid({ t80: 86400 * 10 + 61 }), 61);
  const fmt = compiled('<Apply function="formatDatetime"><FieldRef field="d60"/><Constant>%Y-%m-%d</Constant></Apply>', { fields });
  assert.equal(fmt({ d60: 15796 }), '2003-04-01');
});

test('formatDatetime: strftime conversions (C locale)', () => {
  assert.equal(evaluate('<Apply function="formatDatetime"><Constant dataType="date">2004-08-20</Constant><Constant>%m/%d/%y</Constant></Apply>'), '08/20/04');
  const s = parseIsoDateTime('2004-08-20T15:04:09')!;
  const f = (p: string) => formatDatetime(s, parseDatetimePattern(p));
  assert.equal(f('%Y-%m-%dT%H:%M:%S'), '2004-08-20T15:04:09');
  assert.equal(f('%a %A %b %B %h'), 'Fri Friday Aug August Aug');
  assert.equal(f('%I:%M %p'), '03:04 PM');
  assert.equal(f('%e|%k|%l|%-d|%-m|%_m'), '20|15| 3|20|8| 8');
  assert.equal(f('%j %u %w'), '233 5 5');
  assert.equal(f('%F %T %D %R'), '2004-08-20 15:04:09 08/20/04 15:04');
  assert.equal(f('%c'), 'Fri Aug 20 15:04:09 2004');
  assert.equal(f('%C %y %G %g %V %U %W'), '20 04 2004 04 34 33 33');
  assert.equal(f('100%% %n%t'), '100% \n\t');
  // ISO week-year differs from the calendar year at the turn of the year
  const ny = parseIsoDateTime('2005-01-01T00:00:00')!;
  assert.equal(formatDatetime(ny, parseDatetimePattern('%G-W%V-%u')), '2004-W53-6');
  assert.throws(() => parseDatetimePattern('%Q'));
  assert.throws(() => evaluate('<Apply function="formatDatetime"><Constant dataType="date">2004-08-20</Constant><Constant>%Q</Constant></Apply>'), PmmlCompileError);
});
