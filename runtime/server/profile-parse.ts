// Small parsing helpers shared by the environment settings' readers (profile.ts,
// auth.ts, rate-limit.ts, cors.ts).

import { ConfigError } from './config.js';

/** True when `text` is set to something other than blanks. */
export function isSet(text: string | undefined): text is string {
  return text !== undefined && text.trim() !== '';
}

/** Throws unless `value` is a mapping whose keys are all in `allowed` (a typo is an error, not silently ignored). */
export function checkMapping(value: unknown, section: string, allowed: readonly string[]): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`configuration file: ${section} must be a mapping`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ConfigError(`configuration file: ${section}.${key} is not a setting (use ${allowed.join(', ')})`);
  }
  return value as Readonly<Record<string, unknown>>;
}
