// Wiring data capture and drift monitoring from the environment and the config
// file's `capture:` and `monitoring:` sections (main.ts calls setupObservation once,
// before the application is built, so the request hook can be installed then).
//
// monitoring:            # drift against models/<name>/<version>/baseline.json
//   enabled: true        # MLCOMPILE_MONITORING=off turns it off
//   window: 10000        # MLCOMPILE_DRIFT_WINDOW: instances per window (drift.ts)

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_FILE } from './baseline.js';
import {
  CaptureService, applyCaptureSettings, captureEnabled, currentCaptureSettings, parseCaptureSection, readCaptureEnv, setCaptureService,
} from './capture.js';
import { ConfigError } from './config.js';
import { onConfigReload } from './config-reload.js';
import { DEFAULT_DRIFT_WINDOW } from './drift.js';
import { DriftRegistry, type DriftSettings } from './drift-registry.js';
import type { ObservationOptions } from './capture-hook.js';

export interface Observation extends ObservationOptions {
  /** The capture and drift series for /metrics. */
  text(): string;
  /** Writes what capture has queued and closes its files (shutdown). */
  close(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Checks the config file's `monitoring:` section and MLCOMPILE_MONITORING / MLCOMPILE_DRIFT_WINDOW. */
export function parseMonitoringSettings(raw: unknown, env: Env): DriftSettings {
  let enabled = true;
  let window = DEFAULT_DRIFT_WINDOW;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('monitoring: must be a mapping (enabled, window)');
    const s = raw as Record<string, unknown>;
    for (const k of Object.keys(s)) if (k !== 'enabled' && k !== 'window') throw new ConfigError(`monitoring.${k}: unknown key (known: enabled, window)`);
    if (s.enabled !== undefined) {
      if (typeof s.enabled !== 'boolean') throw new ConfigError('monitoring.enabled: give true or false');
      enabled = s.enabled;
    }
    if (s.window !== undefined) {
      if (typeof s.window !== 'number' || !Number.isInteger(s.window) || s.window < 1) throw new ConfigError('monitoring.window: give a whole number of instances, at least 1');
      window = s.window;
    }
  }
  const flag = env.MLCOMPILE_MONITORING?.trim().toLowerCase();
  if (flag !== undefined && flag !== '') {
    if (['0', 'off', 'false', 'no'].includes(flag)) enabled = false;
    else if (['1', 'on', 'true', 'yes'].includes(flag)) enabled = true;
    else throw new ConfigError(`MLCOMPILE_MONITORING=${JSON.stringify(flag)}: use on or off`);
  }
  const w = env.MLCOMPILE_DRIFT_WINDOW?.trim();
  if (w !== undefined && w !== '') {
    const n = Number(w);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`MLCOMPILE_DRIFT_WINDOW=${JSON.stringify(w)}: give a whole number of instances, at least 1`);
    window = n;
  }
  return { enabled, window };
}

/** True when some models/<name>/<version>/baseline.json exists. */
export function hasBaselines(modelsDir: string): boolean {
  if (!existsSync(modelsDir)) return false;
  for (const name of readdirSync(modelsDir)) {
    const dir = join(modelsDir, name);
    let versions: string[];
    try {
      versions = readdirSync(dir);
    } catch {
      continue;
    }
    if (versions.some((v) => existsSync(join(dir, v, BASELINE_FILE)))) return true;
  }
  return false;
}

export interface ObservationInputs {
  readonly env: Env;
  /** The config file's sections (config-file.ts), {} without a file. */
  readonly sections: Readonly<Record<string, unknown>>;
  /** Capture files go here unless configured otherwise (DIR/capture/ beside server.mjs). */
  readonly defaultCaptureDir: string;
  readonly modelsDir: string;
  /** A profile's default capture rate (slice d), if any. */
  readonly profileCaptureRate?: number;
  readonly log: { error(msg: string): void; warn(msg: string): void; info(msg: string): void };
}

/**
 * Capture and drift as configured; either is absent when off, and the result is
 * undefined when both are (then no hook is installed and nothing is added to /metrics).
 * Throws ConfigError for bad settings.
 */
export function setupObservation(i: ObservationInputs): Observation | undefined {
  const file = parseCaptureSection(i.sections.capture);
  const env = readCaptureEnv(i.env);
  setCaptureService(undefined, { defaultDir: i.defaultCaptureDir, file, env, profileRate: i.profileCaptureRate });
  const settings = currentCaptureSettings();
  // A capture section in the file keeps the hook ready for a reload that raises a rate from 0.
  const capture = captureEnabled(settings) || i.sections.capture !== undefined ? new CaptureService(settings, i.log) : undefined;
  setCaptureService(capture, { defaultDir: i.defaultCaptureDir, file, env });
  const monitoring = parseMonitoringSettings(i.sections.monitoring, i.env);
  const drift = monitoring.enabled && hasBaselines(i.modelsDir) ? new DriftRegistry(i.modelsDir, monitoring, (m) => i.log.warn(m)) : undefined;
  if (capture === undefined && drift === undefined) return undefined;
  // A reload checks the new `capture:` section (a bad one refuses the whole reload) and then applies it live.
  const unsubscribe = capture === undefined ? undefined : onConfigReload((sections) => {
    parseCaptureSection(sections.capture);
    return () => {
      applyCaptureSettings(sections.capture);
    };
  });
  return {
    capture,
    drift,
    warn: (m) => i.log.warn(m),
    text: () => (capture?.text() ?? '') + (drift?.text() ?? ''),
    close: async () => {
      unsubscribe?.();
      await capture?.close();
    },
  };
}
