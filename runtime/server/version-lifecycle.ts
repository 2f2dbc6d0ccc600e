// The life of model versions in a running server: what the directory watcher, SIGHUP
// and the repository API (repository-routes.ts) do, in one place.
//   scan()          loads version directories that are new (or changed) on disk;
//   load(name, v?)  loads a model's versions on request, including unloaded ones;
//   unload(name, v?) stops serving a version or a whole model; the watcher then leaves
//                   it alone until load() is called (this is how a rollback sticks);
//   index()         every version known, on disk or in memory, with its state.
// Operations run one at a time (a queue), so a scan never races an unload. A version
// that is refused (version-loader.ts) is logged once per change of its directory, and
// the versions already serving keep serving.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NAME_PATTERN, compareVersions, subdirs, type ModelRepository } from './models-repository.js';
import { VersionRefusedError, loadVersion, versionFingerprint } from './version-loader.js';

export type VersionState = 'READY' | 'UNAVAILABLE' | 'LOADING';

/** One line of POST /v2/repository/index (Triton's shape). */
export interface VersionStatus {
  readonly name: string;
  readonly version: string;
  readonly state: VersionState;
  /** Why the version is not serving (or why a newer build of a serving version was refused); '' when all is well. */
  readonly reason: string;
}

interface Known {
  state: VersionState;
  reason: string;
  /** The directory's fingerprint when it was last tried: a scan tries again only when it changes. */
  fingerprint: string;
}

export interface LifecycleLog {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** What a scan did. */
export interface ScanReport {
  readonly loaded: readonly string[];
  readonly refused: readonly string[];
}

const key = (name: string, version: string): string => `${name}/${version}`;

export class ModelLifecycle {
  private readonly known = new Map<string, Known>();
  /** Versions ("name/version") and whole models ("name/") unloaded through the API: scans skip them. */
  private readonly unloaded = new Set<string>();
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly repo: ModelRepository,
    private readonly modelsDir: string,
    private readonly log: LifecycleLog,
    /** Called after every change of what is served (metrics, documents). */
    private readonly onChange: () => void = () => {},
  ) {}

  /**
   * Calls `cb` after every change of the versions served (a load, reload or unload), e.g. to
   * check a routing configuration against them. Returns the unsubscribe function.
   */
  onVersionsChanged(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private changed(): void {
    this.onChange();
    for (const cb of this.listeners) {
      try {
        cb();
      } catch (e) {
        this.log.error(`after a model version change: ${(e as Error).message}`);
      }
    }
  }

  /** Runs `op` after every operation queued before it. */
  private queue<T>(op: () => Promise<T> | T): Promise<T> {
    const run = this.tail.then(op, op);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Loads every version directory that is new, or whose content changed, and was not unloaded on purpose. */
  scan(): Promise<ScanReport> {
    return this.queue(async () => {
      const loaded: string[] = [];
      const refused: string[] = [];
      for (const [name, version] of this.onDisk()) {
        if (this.unloaded.has(key(name, '')) || this.unloaded.has(key(name, version))) continue;
        const k = key(name, version);
        const fingerprint = versionFingerprint(join(this.modelsDir, name, version));
        if (this.known.get(k)?.fingerprint === fingerprint) continue;
        if (await this.tryLoad(name, version, fingerprint)) loaded.push(k);
        else refused.push(k);
      }
      if (loaded.length > 0) this.changed();
      return { loaded, refused };
    });
  }

  /**
   * Loads `version` of `name` from disk (every version on disk when undefined), also when it
   * was unloaded or refused before. A serving version is loaded again only if its directory
   * changed. Returns the status of each version tried.
   */
  load(name: string, version?: string): Promise<VersionStatus[]> {
    return this.queue(async () => {
      const versions = version === undefined ? this.versionsOnDisk(name) : [version];
      this.unloaded.delete(key(name, ''));
      let changed = false;
      for (const v of versions) {
        this.unloaded.delete(key(name, v));
        const k = key(name, v);
        const fingerprint = versionFingerprint(join(this.modelsDir, name, v));
        const known = this.known.get(k);
        if (this.repo.has(name, v) && known?.fingerprint === fingerprint && known.reason === '') continue;
        if (await this.tryLoad(name, v, fingerprint)) changed = true;
      }
      if (changed) this.changed();
      return versions.map((v) => this.status(name, v));
    });
  }

  /** Stops serving `version` of `name` (every version when undefined). Returns the versions unloaded. */
  unload(name: string, version?: string): Promise<VersionStatus[]> {
    return this.queue(() => {
      const versions = version === undefined ? [...new Set([...this.repo.versionsOf(name), ...this.versionsOnDisk(name)])].sort(compareVersions) : [version];
      // The model as a whole (new versions too) and each version: loading one later does not bring back the others.
      if (version === undefined) this.unloaded.add(key(name, ''));
      for (const v of versions) this.unloaded.add(key(name, v));
      const removed = this.repo.remove(name, version);
      for (const v of versions) {
        const k = key(name, v);
        this.known.set(k, { state: 'UNAVAILABLE', reason: 'unloaded', fingerprint: this.known.get(k)?.fingerprint ?? '' });
      }
      if (removed.length > 0) {
        this.log.info(`unloaded ${removed.map((m) => key(m.name, m.version)).join(', ')}${this.repo.versionsOf(name).length > 0 ? `; ${name} now answers with version ${this.repo.resolve(name).version}` : ''}`);
        this.changed();
      }
      return versions.map((v) => this.status(name, v));
    });
  }

  /** True when the model is served, on disk, or known from an earlier load. */
  hasModel(name: string): boolean {
    return this.repo.versionsOf(name).length > 0 || this.versionsOnDisk(name).length > 0 || [...this.known.keys()].some((k) => k.startsWith(`${name}/`));
  }

  /** True when the version is served, on disk, or known. */
  hasVersion(name: string, version: string): boolean {
    return this.repo.has(name, version) || this.known.has(key(name, version)) || (NAME_PATTERN.test(version) && existsSync(join(this.modelsDir, name, version)));
  }

  /** Every version served, on disk or tried, by name then version. */
  index(): VersionStatus[] {
    const all = new Map<string, [string, string]>();
    for (const m of this.repo.all()) all.set(key(m.name, m.version), [m.name, m.version]);
    for (const [name, version] of this.onDisk()) all.set(key(name, version), [name, version]);
    for (const k of this.known.keys()) {
      const i = k.indexOf('/');
      all.set(k, [k.slice(0, i), k.slice(i + 1)]);
    }
    return [...all.values()]
      .sort((a, b) => (a[0] === b[0] ? compareVersions(a[1], b[1]) : a[0] < b[0] ? -1 : 1))
      .map(([name, version]) => this.status(name, version));
  }

  status(name: string, version: string): VersionStatus {
    const known = this.known.get(key(name, version));
    if (this.repo.has(name, version)) return { name, version, state: 'READY', reason: known?.reason ?? '' };
    if (known !== undefined) return { name, version, state: known.state, reason: known.reason };
    const dir = join(this.modelsDir, name, version);
    return { name, version, state: 'UNAVAILABLE', reason: existsSync(dir) ? 'not loaded yet' : 'no such version directory' };
  }

  /** Imports and checks one version, and swaps it in; false (with one log line) when it is refused. */
  private async tryLoad(name: string, version: string, fingerprint: string): Promise<boolean> {
    const k = key(name, version);
    const serving = this.repo.has(name, version);
    this.known.set(k, { state: serving ? 'READY' : 'LOADING', reason: '', fingerprint });
    try {
      const v = await loadVersion(this.modelsDir, name, version);
      // An unload queued behind this load still runs after it: no check needed here.
      this.repo.add(v);
      this.known.set(k, { state: 'READY', reason: '', fingerprint });
      this.log.info(`${serving ? 'reloaded' : 'loaded'} model ${k}${this.repo.resolve(name).version === version ? ' (now the latest version)' : ''}`);
      return true;
    } catch (e) {
      const reason = e instanceof VersionRefusedError ? e.message : `cannot load: ${(e as Error).message}`;
      // A serving version stays READY (its old build keeps serving); the reason says what was refused.
      this.known.set(k, { state: serving ? 'READY' : 'UNAVAILABLE', reason: serving ? `a new build was refused: ${reason}` : reason, fingerprint });
      this.log.error(`refused model ${k} (${join(this.modelsDir, name, version)}): ${reason}${serving ? '; the version already loaded keeps serving' : ''}`);
      return false;
    }
  }

  private versionsOnDisk(name: string): string[] {
    if (!NAME_PATTERN.test(name)) return [];
    const dir = join(this.modelsDir, name);
    try {
      return subdirs(dir).filter((v) => NAME_PATTERN.test(v)).sort(compareVersions);
    } catch {
      return [];
    }
  }

  /** [name, version] of every usable version directory, by name then version. */
  private onDisk(): [string, string][] {
    const out: [string, string][] = [];
    let names: string[];
    try {
      names = subdirs(this.modelsDir).filter((n) => NAME_PATTERN.test(n));
    } catch {
      return out;
    }
    for (const name of names) for (const v of this.versionsOnDisk(name)) out.push([name, v]);
    return out;
  }
}
