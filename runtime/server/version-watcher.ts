// Notices new version directories in the model repository: fs.watch on DIR/models and
// on each DIR/models/<name>/ (where versions appear), debounced, plus a periodic rescan
// for the file systems where fs.watch says nothing (network mounts, some container
// volumes) or fails (inotify limits). Each trigger calls `onChange` (a lifecycle scan,
// which loads only what is new or changed, so a spurious trigger costs a few stats).
//   MLCOMPILE_WATCH=0             no watching and no rescans (SIGHUP and the API still work);
//                                 the config file is not watched either, unless
//   MLCOMPILE_CONFIG_WATCH=1      watch the config file (0: don't) whatever MLCOMPILE_WATCH says
//   MLCOMPILE_WATCH_INTERVAL=5    seconds between rescans (0: fs.watch only)

import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.js';
import { subdirs } from './models-repository.js';

export interface WatchConfig {
  readonly enabled: boolean;
  /** Reload the configuration file when it changes (config-reload.ts); SIGHUP and the HTTP call reload it either way. */
  readonly configFile: boolean;
  /** Milliseconds between rescans; 0 for none. */
  readonly intervalMs: number;
  /** Milliseconds of quiet after a file event before scanning (a compilation writes several files). */
  readonly debounceMs: number;
}

export const DEFAULT_WATCH_INTERVAL_S = 5;
const DEBOUNCE_MS = 200;

const FLAGS = ['', '0', '1', 'true', 'false', 'on', 'off'];
const OFF = ['0', 'false', 'off'];

export function readWatchConfig(env: Readonly<Record<string, string | undefined>>): WatchConfig {
  const flag = (env.MLCOMPILE_WATCH ?? '').trim().toLowerCase();
  if (!FLAGS.includes(flag)) throw new ConfigError(`MLCOMPILE_WATCH=${JSON.stringify(env.MLCOMPILE_WATCH)}: use 1 (watch DIR/models for new versions, the default) or 0`);
  const configFlag = (env.MLCOMPILE_CONFIG_WATCH ?? '').trim().toLowerCase();
  if (!FLAGS.includes(configFlag)) throw new ConfigError(`MLCOMPILE_CONFIG_WATCH=${JSON.stringify(env.MLCOMPILE_CONFIG_WATCH)}: use 1 (reload the configuration file when it changes) or 0 (default: as MLCOMPILE_WATCH)`);
  const text = (env.MLCOMPILE_WATCH_INTERVAL ?? '').trim();
  const seconds = text === '' ? DEFAULT_WATCH_INTERVAL_S : Number(text);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new ConfigError(`MLCOMPILE_WATCH_INTERVAL=${JSON.stringify(text)}: give the seconds between rescans of DIR/models, from 0 (none) to 86400`);
  }
  const enabled = !OFF.includes(flag);
  // One switch turns all watching off (MLCOMPILE_WATCH=0); MLCOMPILE_CONFIG_WATCH overrides it for the config file.
  const configFile = configFlag === '' ? enabled : !OFF.includes(configFlag);
  return { enabled, configFile, intervalMs: Math.round(seconds * 1000), debounceMs: DEBOUNCE_MS };
}

export class VersionWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private debounce: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private stopped = false;
  private watchFailed = false;

  constructor(
    private readonly modelsDir: string,
    private readonly config: WatchConfig,
    private readonly onChange: () => void,
    private readonly warn: (msg: string) => void,
  ) {}

  start(): void {
    if (!this.config.enabled) return;
    this.rewatch();
    if (this.config.intervalMs > 0) {
      this.interval = setInterval(() => this.fire(), this.config.intervalMs);
      this.interval.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearInterval(this.interval);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private fire(): void {
    if (this.stopped) return;
    this.rewatch();
    this.onChange();
  }

  /** A file event: scan once things are quiet. */
  private changed(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.fire(), this.config.debounceMs);
    this.debounce.unref();
  }

  /** Watches DIR/models and every model directory in it (new model directories join at the next event or rescan). */
  private rewatch(): void {
    if (this.watchFailed) return;
    let dirs: string[];
    try {
      dirs = [this.modelsDir, ...subdirs(this.modelsDir).map((n) => join(this.modelsDir, n))];
    } catch {
      return;
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => this.changed());
        w.on('error', () => {
          // The directory went away (or the watch broke): forget it; the next rescan watches again.
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch (e) {
        this.watchFailed = true;
        for (const w of this.watchers.values()) w.close();
        this.watchers.clear();
        this.warn(`cannot watch ${dir} for new model versions (${(e as Error).message}); ${this.config.intervalMs > 0 ? `rescanning every ${this.config.intervalMs / 1000} s instead` : 'send SIGHUP or POST /v2/repository/models/{name}/load to load new versions'}`);
        return;
      }
    }
  }
}
