// Reloading the configuration file (config-file.ts) while the server runs: on SIGHUP
// (main.ts), on POST /v2/repository/config/reload, and when the file changes (fs.watch
// on its directory, debounced, so editors that write a new file and rename it over the
// old one are seen too).
//
// Features subscribe with onConfigReload(cb). A reload reads the file, then calls every
// callback with the new sections: a callback checks its section and throws ConfigError
// to refuse it, or returns the step that applies it. Only when every callback accepted
// are the apply steps run, so a bad section refuses the whole reload and the previous
// configuration keeps applying everywhere.

import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ConfigError } from './config.js';
import { CONFIG_FILE_NAMES, readConfigFile, type ConfigSections } from './config-file.js';
import { ServerError } from './errors.js';
import { configReloadResponse } from './routing-openapi.js';
import { errorResponses } from './schemas.js';

/** Checks the new sections (throw ConfigError to refuse); returns the step applying them, if any. */
export type ConfigReloadCallback = (sections: ConfigSections) => (() => void) | void;

/** Where the file is now (found again at each reload: it may have been created since the start). */
export type ConfigLocator = () => string | undefined;

/** What a reload did. */
export interface ReloadOutcome {
  readonly file: string | null;
  readonly sections: readonly string[];
}

interface ReloadLog {
  info(msg: string): void;
  error(msg: string): void;
}

const SILENT: ReloadLog = { info: () => undefined, error: () => undefined };

/** File changes within this many milliseconds make one reload (editors write in several steps). */
export const WATCH_DEBOUNCE_MS = 250;

export class ConfigReloader {
  private locate: ConfigLocator = () => undefined;
  private callbacks: ConfigReloadCallback[] = [];
  private log: ReloadLog = SILENT;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** sha256 of the text last applied (or refused): a watch event without a change does nothing. */
  private lastDigest: string | undefined;

  /** Sets how the file is found and where reloads are logged. */
  configure(opts: { readonly locate?: ConfigLocator; readonly log?: ReloadLog }): void {
    if (opts.locate !== undefined) this.locate = opts.locate;
    if (opts.log !== undefined) this.log = opts.log;
  }

  /** Subscribes to reloads; returns the unsubscribe function. */
  onConfigReload(cb: ConfigReloadCallback): () => void {
    this.callbacks.push(cb);
    return () => {
      this.callbacks = this.callbacks.filter((c) => c !== cb);
    };
  }

  /** The file's sections now (ConfigError when it cannot be read or parsed). */
  read(): { file: string | undefined; sections: ConfigSections } {
    const file = this.locate();
    const sections = readConfigFile(file);
    return { file, sections };
  }

  /**
   * Re-reads the file and applies it through every subscriber, or refuses it whole:
   * throws ConfigError (logged as one line) and nothing changes.
   */
  reload(reason: string): ReloadOutcome {
    let file: string | undefined;
    try {
      const read = this.read();
      file = read.file;
      const apply: (() => void)[] = [];
      for (const cb of this.callbacks) {
        const step = cb(read.sections);
        if (typeof step === 'function') apply.push(step);
      }
      for (const step of apply) step();
      this.lastDigest = this.digestOf(file);
      const outcome = { file: file ?? null, sections: Object.keys(read.sections) };
      this.log.info(`${reason}: configuration reloaded from ${file ?? '(no file: defaults)'}`);
      return outcome;
    } catch (e) {
      this.lastDigest = this.digestOf(file);
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`${reason}: configuration reload refused, the previous configuration keeps applying: ${message}`);
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(message);
    }
  }

  /** Reloads when the file (or, without one, a mlcompile.yaml|yml|json in `serverDir`) changes. */
  watch(serverDir: string): void {
    this.unwatch();
    const file = this.locate();
    const dir = file === undefined ? serverDir : dirname(file);
    const names = new Set<string>(file === undefined ? CONFIG_FILE_NAMES : [basename(file)]);
    if (!existsSync(dir)) return;
    this.lastDigest = this.digestOf(file);
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name !== null && !names.has(name.toString())) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.onFileEvent(), WATCH_DEBOUNCE_MS);
        this.timer.unref();
      });
      w.on('error', (e) => this.log.error(`configuration file watch stopped: ${e.message}`));
      this.watchers.push(w);
    } catch (e) {
      // No inotify watches left (or the like): SIGHUP and the HTTP call still reload.
      this.log.error(`cannot watch ${dir} for configuration changes: ${(e as Error).message}`);
    }
  }

  /** Stops watching (server shutdown, tests). */
  unwatch(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  private onFileEvent(): void {
    let file: string | undefined;
    try {
      file = this.locate();
    } catch {
      file = undefined;
    }
    if (this.digestOf(file) === this.lastDigest) return;
    try {
      this.reload('configuration file changed');
    } catch {
      // Logged by reload(); the previous configuration keeps applying.
    }
  }

  private digestOf(file: string | undefined): string | undefined {
    if (file === undefined) return undefined;
    try {
      return createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch {
      return undefined;
    }
  }
}

/** The server's reloader: main.ts configures it; features subscribe through onConfigReload. */
export const configReloader = new ConfigReloader();

/**
 * Subscribes `cb` to the server's configuration reloads (see ConfigReloadCallback):
 * check your section and throw ConfigError to refuse the reload, return the step that
 * applies it. Returns the unsubscribe function.
 */
export function onConfigReload(cb: ConfigReloadCallback): () => void {
  return configReloader.onConfigReload(cb);
}

/** POST /v2/repository/config/reload: reloads, answering the file and sections, or 422 with why it was refused. */
export function configReloadPlugin(reloader: ConfigReloader) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/v2/repository/config/reload', {
      schema: {
        response: {
          200: configReloadResponse,
          ...errorResponses,
        },
      },
    }, () => {
      try {
        return { reloaded: true, ...reloader.reload('POST /v2/repository/config/reload') };
      } catch (e) {
        throw new ServerError('MLS_ERR_BAD_CONFIG', `the configuration was not reloaded (the previous one keeps applying): ${(e as Error).message}`);
      }
    });
  };
}
