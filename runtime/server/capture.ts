// Data capture for retraining: a sample of inference requests, each written with
// its response as one JSON Lines record, to size-rotated files per model:
//   <dir>/capture-<model>-<UTC time>-<seq>.jsonl
//   {"time":"2026-11-26T01:50:00.123Z","model":"iris","version":"2","id":"<request id>",
//    "route":"/v2/models/:model_name/infer","inputs":<request body>,"outputs":<response body>}
// One record per request (not per instance): the body as the client sent it and the
// answer as it was sent, so a record can be replayed; `inputs` of a CSV request is its text.
//
// On the request path: a sampling draw and, when sampled, pushing references to the
// body and payload onto a bounded queue. Serialising and writing happen afterwards
// (setImmediate), appending to the current file with one write per batch. When the
// queue is full (by records or by the request bodies' declared bytes), records are
// dropped and counted. Any write error (a full disk, a directory that went away or
// cannot be written) stops capture: one log line, mlcompile_capture_active 0 and
// mlcompile_capture_errors_total; serving goes on. Applying settings again (a config
// reload) restarts it.
//
// Settings (docs/server.md, "Data capture"), from the lowest precedence up: a profile's
// default rate (setDefaultCaptureRate), the config file's `capture:` section, then the
// environment: MLCOMPILE_CAPTURE_RATE, _DIR, _MAX_BYTES, _MAX_FILES. A model's own rate
// in `capture.models.<name>.rate` wins over every overall rate.

import { mkdirSync } from 'node:fs';
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, parseByteSize } from './config.js';

export interface CaptureSettings {
  /** Where the files go. */
  readonly dir: string;
  /** Share of requests captured for models without their own rate (0 to 1). */
  readonly rate: number;
  /** Per-model rates. */
  readonly models: Readonly<Record<string, { readonly rate: number }>>;
  /** A file is rotated before it would grow past this. */
  readonly maxFileBytes: number;
  /** Files kept per model (the oldest are deleted). */
  readonly maxFiles: number;
  /** Records waiting to be written at most. */
  readonly queueRecords: number;
  /** Declared request-body bytes waiting to be written at most. */
  readonly queueBytes: number;
}

/** What a config file's `capture:` section or the environment may set. */
export type CaptureOverrides = Partial<CaptureSettings>;

export const CAPTURE_DEFAULTS: Omit<CaptureSettings, 'dir'> = {
  rate: 0,
  models: {},
  maxFileBytes: 64 * 1024 * 1024,
  maxFiles: 10,
  queueRecords: 1000,
  queueBytes: 64 * 1024 * 1024,
};

const SECTION_KEYS = ['dir', 'rate', 'maxFileBytes', 'maxFiles', 'queueRecords', 'queueBytes', 'models'];

function rateOf(v: unknown, where: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !(n >= 0 && n <= 1)) throw new ConfigError(`${where}: give a sampling rate from 0 to 1 (0.1 captures one request in ten), got ${JSON.stringify(v)}`);
  return n;
}

function positiveInt(v: unknown, where: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ConfigError(`${where}: give a whole number of at least 1, got ${JSON.stringify(v)}`);
  return n;
}

function bytesOf(v: unknown, where: string): number {
  if (typeof v === 'number') return positiveInt(v, where);
  if (typeof v === 'string') return parseByteSize(v, where);
  throw new ConfigError(`${where}: give a size in bytes, or with a unit: 512kb, 64mb`);
}

/** Checks the config file's `capture:` section (undefined: no section). */
export function parseCaptureSection(raw: unknown): CaptureOverrides {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('capture: must be a mapping (dir, rate, maxFileBytes, maxFiles, models)');
  const s = raw as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!SECTION_KEYS.includes(k)) throw new ConfigError(`capture.${k}: unknown key (known: ${SECTION_KEYS.join(', ')})`);
  const out: { -readonly [K in keyof CaptureSettings]?: CaptureSettings[K] } = {};
  if (s.dir !== undefined) {
    if (typeof s.dir !== 'string' || s.dir.trim() === '') throw new ConfigError('capture.dir: give a directory path');
    out.dir = s.dir;
  }
  if (s.rate !== undefined) out.rate = rateOf(s.rate, 'capture.rate');
  if (s.maxFileBytes !== undefined) out.maxFileBytes = bytesOf(s.maxFileBytes, 'capture.maxFileBytes');
  if (s.maxFiles !== undefined) out.maxFiles = positiveInt(s.maxFiles, 'capture.maxFiles');
  if (s.queueRecords !== undefined) out.queueRecords = positiveInt(s.queueRecords, 'capture.queueRecords');
  if (s.queueBytes !== undefined) out.queueBytes = bytesOf(s.queueBytes, 'capture.queueBytes');
  if (s.models !== undefined) {
    if (typeof s.models !== 'object' || s.models === null || Array.isArray(s.models)) throw new ConfigError('capture.models: must map model names to { rate }');
    const models: Record<string, { rate: number }> = {};
    for (const [name, m] of Object.entries(s.models as Record<string, unknown>)) {
      const where = `capture.models.${name}`;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new ConfigError(`${where}: must be a mapping with a rate`);
      for (const k of Object.keys(m)) if (k !== 'rate') throw new ConfigError(`${where}.${k}: unknown key (known: rate)`);
      models[name] = { rate: rateOf((m as Record<string, unknown>).rate, `${where}.rate`) };
    }
    out.models = models;
  }
  return out;
}

/** MLCOMPILE_CAPTURE_RATE, _DIR, _MAX_BYTES, _MAX_FILES. */
export function readCaptureEnv(env: Readonly<Record<string, string | undefined>>): CaptureOverrides {
  const out: { -readonly [K in keyof CaptureSettings]?: CaptureSettings[K] } = {};
  const get = (k: string): string | undefined => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const rate = get('MLCOMPILE_CAPTURE_RATE');
  if (rate !== undefined) out.rate = rateOf(rate, 'MLCOMPILE_CAPTURE_RATE');
  const dir = get('MLCOMPILE_CAPTURE_DIR');
  if (dir !== undefined) out.dir = dir;
  const max = get('MLCOMPILE_CAPTURE_MAX_BYTES');
  if (max !== undefined) out.maxFileBytes = parseByteSize(max, 'MLCOMPILE_CAPTURE_MAX_BYTES');
  const files = get('MLCOMPILE_CAPTURE_MAX_FILES');
  if (files !== undefined) out.maxFiles = positiveInt(files, 'MLCOMPILE_CAPTURE_MAX_FILES');
  return out;
}

/** The settings in force: defaults < profile rate < file section < environment (a model's own rate wins). */
export function resolveCaptureSettings(defaultDir: string, profileRate: number | undefined, file: CaptureOverrides, env: CaptureOverrides): CaptureSettings {
  return {
    ...CAPTURE_DEFAULTS,
    dir: defaultDir,
    ...(profileRate === undefined ? {} : { rate: profileRate }),
    ...file,
    ...env,
    models: { ...(file.models ?? {}) },
  };
}

/** True when some model would be captured. */
export function captureEnabled(s: CaptureSettings): boolean {
  return s.rate > 0 || Object.values(s.models).some((m) => m.rate > 0);
}

interface QueuedRecord {
  readonly time: number;
  readonly model: string;
  readonly version: string;
  readonly id: string;
  readonly route: string;
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly bytes: number;
}

/** The file a model's records currently go to. */
interface OpenFile {
  handle: FileHandle;
  path: string;
  size: number;
}

interface ModelCounts {
  written: number;
  dropped: number;
  files: number;
}

/** Records serialised and written per step of a flush. */
const FLUSH_SLICE = 64;

/** What follows `capture-<model>-` in a capture file's name. */
const FILE_SUFFIX = /^\d{8}T\d{6}\.\d{3}Z-\d{4,}\.jsonl$/;

/** Compact UTC time for file names: 20261126T015000.123Z (sorts in time order). */
function fileTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

export class CaptureService {
  private settings: CaptureSettings;
  private rates = new Map<string, number>();
  private defaultRate = 0;
  private queue: QueuedRecord[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly files = new Map<string, OpenFile>();
  private readonly counts = new Map<string, ModelCounts>();
  private seq = 0;
  /** False after a write error, until settings are applied again. */
  private active = true;
  errors = 0;

  constructor(
    settings: CaptureSettings,
    private readonly log: { error(msg: string): void; info(msg: string): void } = { error() {}, info() {} },
    private readonly random: () => number = Math.random,
    /** Creates a new capture file (tests substitute a device that fails, such as /dev/full). */
    private readonly createFile: (path: string) => Promise<FileHandle> = (path) => open(path, 'ax'),
  ) {
    this.settings = settings;
    this.apply(settings);
  }

  get current(): CaptureSettings {
    return this.settings;
  }

  /** New settings, live: rates at once; a new directory or size limit from the next file. Restarts capture stopped by an error. */
  apply(settings: CaptureSettings): void {
    const dirChanged = settings.dir !== this.settings.dir;
    this.settings = settings;
    this.defaultRate = settings.rate;
    this.rates = new Map(Object.entries(settings.models).map(([k, m]) => [k, m.rate]));
    this.active = true;
    // After the write in progress, if any: closing a file under it would fail that write (and stop capture).
    if (dirChanged) this.writing = this.writing.then(() => this.closeAll());
  }

  /** The sampling decision for one request of `model` (the request path: a Map lookup and a draw). */
  sample(model: string): boolean {
    if (!this.active) return false;
    const rate = this.rates.get(model) ?? this.defaultRate;
    return rate > 0 && (rate >= 1 || this.random() < rate);
  }

  /** Queues a sampled request; `bytes` is its declared body size (0 when unknown). */
  enqueue(model: string, version: string, id: string, route: string, inputs: unknown, outputs: unknown, bytes: number): void {
    const s = this.settings;
    if (this.queue.length >= s.queueRecords || this.queuedBytes + bytes > s.queueBytes) {
      this.countsOf(model).dropped++;
      return;
    }
    this.queue.push({ time: Date.now(), model, version, id, route, inputs, outputs, bytes });
    this.queuedBytes += bytes;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.writing = this.writing.then(() => this.flush());
      });
    }
  }

  /** Resolves once everything queued so far is written (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.scheduled) {
      await new Promise((r) => setImmediate(r));
      await this.writing;
    }
    await this.writing;
  }

  /** Closes the open files (shutdown). */
  async close(): Promise<void> {
    await this.drain();
    await this.closeAll();
  }

  private countsOf(model: string): ModelCounts {
    let c = this.counts.get(model);
    if (c === undefined) {
      c = { written: 0, dropped: 0, files: 0 };
      this.counts.set(model, c);
    }
    return c;
  }

  private async closeAll(): Promise<void> {
    const open = [...this.files.values()];
    this.files.clear();
    await Promise.all(open.map((f) => f.handle.close().catch(() => {})));
  }

  /**
   * Writes the queue out, FLUSH_SLICE records at a time: each slice is serialised and then
   * written with an await, so requests are served between slices instead of waiting for a
   * whole queue's JSON.stringify.
   */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, FLUSH_SLICE);
      for (const r of batch) this.queuedBytes -= r.bytes;
      if (!this.active) {
        for (const r of batch) this.countsOf(r.model).dropped++;
        continue;
      }
      const byModel = new Map<string, string[]>();
      for (const r of batch) {
        let line: string;
        try {
          line = JSON.stringify({ time: new Date(r.time).toISOString(), model: r.model, version: r.version, id: r.id, route: r.route, inputs: r.inputs, outputs: r.outputs });
        } catch {
          // A value JSON cannot hold (a BigInt): the record is dropped, not the capture.
          this.countsOf(r.model).dropped++;
          continue;
        }
        const lines = byModel.get(r.model);
        if (lines === undefined) byModel.set(r.model, [line]);
        else lines.push(line);
      }
      for (const [model, lines] of byModel) {
        try {
          await this.write(model, lines);
          this.countsOf(model).written += lines.length;
        } catch (e) {
          this.countsOf(model).dropped += lines.length;
          this.stop(e as Error);
          return;
        }
      }
    }
  }

  /** Appends lines to the model's file, rotating by size; a file holds at least one record. */
  private async write(model: string, lines: readonly string[]): Promise<void> {
    const max = this.settings.maxFileBytes;
    let chunk = '';
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line) + 1;
      const f = this.files.get(model);
      const size = (f?.size ?? 0) + chunkBytes;
      if (f !== undefined && size > 0 && size + bytes > max) {
        if (chunk !== '') await this.append(f, chunk, chunkBytes);
        chunk = '';
        chunkBytes = 0;
        await this.rotate(model);
      }
      chunk += `${line}\n`;
      chunkBytes += bytes;
      if (!this.files.has(model)) await this.openFile(model);
    }
    const f = this.files.get(model);
    if (f !== undefined && chunk !== '') await this.append(f, chunk, chunkBytes);
  }

  private async append(f: OpenFile, text: string, bytes: number): Promise<void> {
    await f.handle.write(text);
    f.size += bytes;
  }

  private async openFile(model: string): Promise<void> {
    const dir = this.settings.dir;
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `capture-${model}-${fileTime(Date.now())}-${String(++this.seq).padStart(4, '0')}.jsonl`);
    const handle = await this.createFile(path);
    this.files.set(model, { handle, path, size: 0 });
    this.countsOf(model).files++;
    await this.prune(model);
  }

  private async rotate(model: string): Promise<void> {
    const f = this.files.get(model);
    this.files.delete(model);
    if (f !== undefined) await f.handle.close();
    await this.openFile(model);
  }

  /** Deletes the model's oldest files beyond maxFiles (names sort in time order). */
  private async prune(model: string): Promise<void> {
    const prefix = `capture-${model}-`;
    // The time and sequence pattern after the prefix: model "a" must not prune model "a-b"'s files.
    const names = (await readdir(this.settings.dir)).filter((n) => n.startsWith(prefix) && FILE_SUFFIX.test(n.slice(prefix.length))).sort();
    const excess = names.length - this.settings.maxFiles;
    for (let i = 0; i < excess; i++) await unlink(join(this.settings.dir, names[i])).catch(() => {});
  }

  private stop(e: Error): void {
    this.errors++;
    if (!this.active) return;
    this.active = false;
    this.log.error(`data capture stopped: cannot write to ${this.settings.dir}: ${e.message} (serving continues; fix the directory and reload the configuration to resume)`);
    for (const r of this.queue) this.countsOf(r.model).dropped++;
    this.queue = [];
    this.queuedBytes = 0;
    void this.closeAll();
  }

  /** The capture series for /metrics. */
  text(): string {
    const out: string[] = [];
    out.push('# HELP mlcompile_capture_active 1 while data capture is on and writing, 0 when it stopped on a write error or every rate is 0');
    out.push('# TYPE mlcompile_capture_active gauge');
    out.push(`mlcompile_capture_active ${this.active && captureEnabled(this.settings) ? 1 : 0}`);
    out.push('# HELP mlcompile_capture_errors_total Write errors of data capture (each stops capture until the settings are applied again)');
    out.push('# TYPE mlcompile_capture_errors_total counter');
    out.push(`mlcompile_capture_errors_total ${this.errors}`);
    out.push('# HELP mlcompile_capture_queue_records Captured records waiting to be written');
    out.push('# TYPE mlcompile_capture_queue_records gauge');
    out.push(`mlcompile_capture_queue_records ${this.queue.length}`);
    out.push('# HELP mlcompile_capture_records_total Sampled requests by model and result (written; dropped: queue full, write error or not serialisable)');
    out.push('# TYPE mlcompile_capture_records_total counter');
    const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    for (const [model, c] of this.counts) {
      out.push(`mlcompile_capture_records_total{model="${esc(model)}",result="written"} ${c.written}`);
      out.push(`mlcompile_capture_records_total{model="${esc(model)}",result="dropped"} ${c.dropped}`);
    }
    out.push('# HELP mlcompile_capture_files_total Capture files opened, by model');
    out.push('# TYPE mlcompile_capture_files_total counter');
    for (const [model, c] of this.counts) out.push(`mlcompile_capture_files_total{model="${esc(model)}"} ${c.files}`);
    return out.join('\n') + '\n';
  }
}

// ---------------------------------------------------------------------------------------
// Live settings: a config reload (slice b's onConfigReload) or a profile (slice d) changes
// capture through these, without a handle on the service.

let service: CaptureService | undefined;
let profileRate: number | undefined;
let fileSection: CaptureOverrides = {};
let envOverrides: CaptureOverrides = {};
let defaultDir = 'capture';

/** Registers the server's capture service and the inputs its settings are resolved from (main.ts). */
export function setCaptureService(s: CaptureService | undefined, inputs: { readonly defaultDir: string; readonly file: CaptureOverrides; readonly env: CaptureOverrides; readonly profileRate?: number }): void {
  service = s;
  defaultDir = inputs.defaultDir;
  fileSection = inputs.file;
  envOverrides = inputs.env;
  if (inputs.profileRate !== undefined) profileRate = inputs.profileRate;
}

/** The settings the current inputs give. */
export function currentCaptureSettings(): CaptureSettings {
  return resolveCaptureSettings(defaultDir, profileRate, fileSection, envOverrides);
}

/**
 * Applies a config file's `capture:` section (raw, as read: it is checked here and a
 * ConfigError names the bad key) live. Returns the settings now in force. Without a
 * running capture service (capture was off everywhere at startup, so no request hook
 * was installed) the settings are kept and take effect at the next start.
 */
export function applyCaptureSettings(rawSection: unknown): CaptureSettings {
  fileSection = parseCaptureSection(rawSection);
  const s = currentCaptureSettings();
  service?.apply(s);
  return s;
}

/** A profile's default capture rate (slice d: e.g. test 1, production 0.01), below the file and the environment. */
export function setDefaultCaptureRate(rate: number | undefined): CaptureSettings {
  profileRate = rate === undefined ? undefined : rateOf(rate, 'profile capture rate');
  const s = currentCaptureSettings();
  service?.apply(s);
  return s;
}
