// PFA library: date and time (time.*), specification §21. Timestamps are seconds since
// 1970-01-01T00:00:00 UTC (fractions allowed) between 0001-01-01 and 9999-12-31 UTC;
// zones are IANA (Olson) names, "" meaning UTC. Calendar fields use the proleptic
// Gregorian calendar computed here; only the zone's UTC offset at an instant comes
// from Intl.DateTimeFormat (available in Node and browsers).

import { pfaFail, type LibFunction } from '../types.js';

const MIN_TS = -62135596800;
const MAX_TS = 253402300799;
const DAY = 86400;

// ------------------------------------------------------------------ calendar arithmetic (proleptic Gregorian)

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeap(y) ? 29 : MONTH_DAYS[m - 1];
}

/** Days since 1970-01-01 of a date (month 1-12; any year, 400-year cycles of 146097 days). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400; // [0, 399]
  const mp = (m + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1; // [0, 365]
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy; // [0, 146096]
  return era * 146097 + doe - 719468;
}

/** The date of a day number (inverse of daysFromCivil). */
function civilFromDays(z: number): { year: number; month: number; day: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

interface Fields {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  dayOfYear: number; // 1-366
  dayOfWeek: number; // 0 = Monday ... 6 = Sunday
  hour: number;
  minute: number;
  second: number;
}

/** Calendar fields of a local time given as whole seconds since the epoch. */
function fieldsOf(local: number): Fields {
  const days = Math.floor(local / DAY);
  const secs = local - days * DAY;
  const { year, month, day } = civilFromDays(days);
  return {
    year, month, day,
    dayOfYear: days - daysFromCivil(year, 1, 1) + 1,
    dayOfWeek: (((days + 3) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    hour: Math.floor(secs / 3600),
    minute: Math.floor((secs % 3600) / 60),
    second: secs % 60,
  };
}

// ------------------------------------------------------------------ zones

/** A zone's offset from UTC (seconds) at an instant (whole seconds since the epoch). */
type Zone = (utc: number) => number;

const UTC: Zone = () => 0;
const zones = new Map<string, Zone | null>();

/** Local wall-clock seconds of the fields Intl gives for an instant. */
function wallClock(year: number, bc: boolean, month: number, day: number, h: number, m: number, sec: number): number {
  return daysFromCivil(bc ? 1 - year : year, month, day) * DAY + h * 3600 + m * 60 + sec;
}

function intlZone(name: string): Zone | null {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return null;
  }
  if (fmt.resolvedOptions().timeZone === 'UTC') return UTC;
  const offsetAt = (utc: number): number => {
    const date = new Date(utc * 1000);
    // format() is several times cheaper than formatToParts(); en-US gives "M/D/Y ERA, H:M:S".
    const text = fmt.format(date);
    const n = text.match(/\d+/g);
    if (n !== null && n.length === 6) return wallClock(+n[2], /\bB/.test(text), +n[0], +n[1], +n[3], +n[4], +n[5]) - utc;
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(date)) parts[p.type] = p.value;
    return wallClock(+parts.year, parts.era.startsWith('B'), +parts.month, +parts.day, +parts.hour, +parts.minute, +parts.second) - utc;
  };
  // Offsets change a few times a year at most: an hour (UTC) with the same offset at
  // both ends has it throughout, and is cached.
  const hours = new Map<number, number>();
  return (utc) => {
    const h = Math.floor(utc / 3600);
    const known = hours.get(h);
    if (known !== undefined) return known;
    const first = offsetAt(h * 3600);
    if (first !== offsetAt(h * 3600 + 3599)) return offsetAt(utc);
    if (hours.size >= 4096) hours.clear();
    hours.set(h, first);
    return first;
  };
}

/**
 * The zone for a name, or null if unknown. Only IANA names are accepted: Intl would
 * also take offsets such as "+01:00", which are not zones of the Olson database.
 */
function zoneOf(name: string): Zone | null {
  if (name === '') return UTC;
  let z = zones.get(name);
  if (z === undefined) {
    z = /^[A-Za-z]/.test(name) ? intlZone(name) : null;
    if (zones.size > 1000) zones.clear();
    zones.set(name, z);
  }
  return z;
}

// ------------------------------------------------------------------ function builders

const ZONE_PARAMS = [{ name: 'ts', type: 'double' }, { name: 'zone', type: 'string' }];

/** Local fields of ts in zone, raising the function's zone and range errors. */
function localFields(name: string, zoneCode: number, rangeCode: number, ts: number, zone: string): Fields {
  const z = zoneOf(zone);
  if (z === null) pfaFail(zoneCode, name, 'unrecognized timezone string');
  if (!(ts >= MIN_TS && ts <= MAX_TS)) pfaFail(rangeCode, name, 'timestamp out of range');
  const utc = Math.floor(ts);
  return fieldsOf(utc + z(utc));
}

function getter(name: string, code: number, get: (f: Fields) => number): LibFunction {
  return {
    name,
    sigs: [{ params: ZONE_PARAMS, ret: 'int' }],
    make: () => (ts: number, zone: string) => get(localFields(name, code, code + 1, ts, zone)),
  };
}

function rangeTest(name: string, code: number, get: (f: Fields) => number): LibFunction {
  return {
    name,
    sigs: [{ params: [...ZONE_PARAMS, { name: 'low', type: 'double' }, { name: 'high', type: 'double' }], ret: 'boolean' }],
    make: () => (ts: number, zone: string, low: number, high: number) => {
      if (!(low < high)) pfaFail(code, name, 'bad time range');
      const v = get(localFields(name, code + 1, code + 2, ts, zone));
      return v >= low && v < high;
    },
  };
}

function dayTest(name: string, code: number, test: (f: Fields) => boolean): LibFunction {
  return {
    name,
    sigs: [{ params: ZONE_PARAMS, ret: 'boolean' }],
    make: () => (ts: number, zone: string) => test(localFields(name, code, code + 1, ts, zone)),
  };
}

// ------------------------------------------------------------------ fields

export const timeYear = getter('time.year', 40000, (f) => f.year);
export const timeMonthOfYear = getter('time.monthOfYear', 40010, (f) => f.month);
export const timeDayOfYear = getter('time.dayOfYear', 40020, (f) => f.dayOfYear);
export const timeDayOfMonth = getter('time.dayOfMonth', 40030, (f) => f.day);
export const timeDayOfWeek = getter('time.dayOfWeek', 40040, (f) => f.dayOfWeek);
export const timeHourOfDay = getter('time.hourOfDay', 40050, (f) => f.hour);
export const timeMinuteOfHour = getter('time.minuteOfHour', 40060, (f) => f.minute);
export const timeSecondOfMinute = getter('time.secondOfMinute', 40070, (f) => f.second);

// ------------------------------------------------------------------ constructing a timestamp

/**
 * The UTC instant of a local time (whole seconds since the epoch as if the wall clock
 * were UTC). A repeated local time (clocks set back) gives the earlier instant; a
 * skipped one (clocks set forward) is read with the offset in force before the change.
 */
function utcOf(local: number, zone: Zone): number {
  const before = zone(local - DAY), after = zone(local + DAY);
  const candidates = [local - before, local - after].filter((t) => t + zone(t) === local);
  if (candidates.length > 0) return Math.min(...candidates);
  const t = local - zone(local);
  return t + zone(t) === local ? t : local - before;
}

export const timeMakeTimestamp: LibFunction = {
  name: 'time.makeTimestamp',
  sigs: [{
    params: [
      { name: 'year', type: 'int' }, { name: 'month', type: 'int' }, { name: 'day', type: 'int' }, { name: 'hour', type: 'int' },
      { name: 'minute', type: 'int' }, { name: 'second', type: 'int' }, { name: 'millisecond', type: 'int' }, { name: 'zone', type: 'string' },
    ],
    ret: 'double',
  }],
  make: () => (year: number, month: number, day: number, hour: number, minute: number, second: number, millisecond: number, zone: string) => {
    const z = zoneOf(zone);
    if (z === null) pfaFail(40080, 'time.makeTimestamp', 'unrecognized timezone string');
    const valid = year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) &&
      hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && millisecond >= 0 && millisecond <= 999;
    if (!valid) pfaFail(40081, 'time.makeTimestamp', 'timestamp undefined for given parameters');
    const local = daysFromCivil(year, month, day) * DAY + hour * 3600 + minute * 60 + second;
    return utcOf(local, z) + millisecond / 1000;
  },
};

// ------------------------------------------------------------------ range tests

export const timeIsSecondOfMinute = rangeTest('time.isSecondOfMinute', 40090, (f) => f.second);
export const timeIsMinuteOfHour = rangeTest('time.isMinuteOfHour', 40100, (f) => f.minute);
export const timeIsHourOfDay = rangeTest('time.isHourOfDay', 40110, (f) => f.hour);
export const timeIsDayOfWeek = rangeTest('time.isDayOfWeek', 40120, (f) => f.dayOfWeek);
export const timeIsDayOfMonth = rangeTest('time.isDayOfMonth', 40130, (f) => f.day);
export const timeIsMonthOfYear = rangeTest('time.isMonthOfYear', 40140, (f) => f.month);
export const timeIsDayOfYear = rangeTest('time.isDayOfYear', 40150, (f) => f.dayOfYear);

export const timeIsWeekend = dayTest('time.isWeekend', 40160, (f) => f.dayOfWeek >= 5);
export const timeIsWorkHours = dayTest('time.isWorkHours', 40170, (f) => f.dayOfWeek <= 4 && f.hour >= 9 && f.hour < 17);
