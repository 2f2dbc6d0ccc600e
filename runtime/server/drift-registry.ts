// The drift monitors of the served model versions: one per version that has a
// baseline.json in its directory (models/<name>/<version>/), created the first
// time the version is seen (at startup for the versions loaded then; on its first
// request for a version loaded later, e.g. on SIGHUP or through the repository API).
// A version without a baseline, or with one that cannot be read, is remembered as
// unmonitored (one log line for a broken file), so the lookup is one Map.get after that.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_FILE, parseBaseline } from './baseline.js';
import { DEFAULT_DRIFT_WINDOW, DriftMonitor, driftMetricsText } from './drift.js';
import type { ModelVersion } from './models-repository.js';

export interface DriftSettings {
  /** False: no monitoring even where baselines exist (MLCOMPILE_MONITORING=off, or `monitoring: {enabled: false}`). */
  readonly enabled: boolean;
  /** Instances per window (see drift.ts). */
  readonly window: number;
}

export const DEFAULT_DRIFT_SETTINGS: DriftSettings = { enabled: true, window: DEFAULT_DRIFT_WINDOW };

export class DriftRegistry {
  /** null: the version has no usable baseline. */
  private readonly monitors = new Map<ModelVersion, DriftMonitor | null>();

  constructor(
    private readonly modelsDir: string,
    private readonly settings: DriftSettings = DEFAULT_DRIFT_SETTINGS,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  /** The monitor of a version, or null when it has no baseline. */
  monitorFor(m: ModelVersion): DriftMonitor | null {
    const known = this.monitors.get(m);
    if (known !== undefined) return known;
    const mon = this.load(m);
    // A version reloaded in place replaces the one before it (rare: a scan of the Map is fine).
    for (const old of this.monitors.keys()) if (old.name === m.name && old.version === m.version) this.monitors.delete(old);
    this.monitors.set(m, mon);
    return mon;
  }

  private load(m: ModelVersion): DriftMonitor | null {
    if (!this.settings.enabled) return null;
    const file = join(this.modelsDir, m.name, m.version, BASELINE_FILE);
    if (!existsSync(file)) return null;
    try {
      const baseline = parseBaseline(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
      return new DriftMonitor(m.name, m.version, baseline, this.settings.window);
    } catch (e) {
      this.warn(`drift monitoring is off for ${m.name}/${m.version}: ${(e as Error).message}`);
      return null;
    }
  }

  /** The drift series for /metrics. */
  text(): string {
    // A version directory reloaded in place is a new ModelVersion with the same name and
    // version: only its newest monitor is shown (one series per label set).
    const newest = new Map<string, DriftMonitor>();
    for (const m of this.monitors.values()) if (m !== null) newest.set(`${m.model}\u0000${m.version}`, m);
    return driftMetricsText([...newest.values()]);
  }
}
