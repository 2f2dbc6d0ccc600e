// The server's settings, from the environment (docs/server.md lists them).

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '0.0.0.0';
/** 5 MB (MiB): the default request body limit. */
export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** MLCOMPILE_BODY_LIMIT or 5 MiB; the server uses profile.ts's effective value (env > config file > profile). */
  readonly bodyLimit: number;
  readonly modelsDir: string;
  readonly defaultModel: string | undefined;
  /** LOG_LEVEL or info; the server uses profile.ts's effective value (env > config file > profile). */
  readonly logLevel: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** "5242880", "512kb", "5mb", "1.5 MiB" → bytes (units are powers of 1024). */
export function parseByteSize(text: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m === null ? undefined : UNITS[m[2].toLowerCase()];
  if (m === null || unit === undefined) throw new ConfigError(`${name}=${JSON.stringify(text)}: give a size in bytes, or with a unit: 512kb, 5mb, 1gb`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 1) throw new ConfigError(`${name}=${JSON.stringify(text)}: the size must be at least 1 byte`);
  return bytes;
}

export function readConfig(env: Readonly<Record<string, string | undefined>>, defaultModelsDir: string): ServerConfig {
  const portText = env.PORT ?? '';
  let port = DEFAULT_PORT;
  if (portText.trim() !== '') {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT=${JSON.stringify(portText)}: give a port number from 0 to 65535`);
  }
  // LOG_LEVEL, or MLCOMPILE_LOG_LEVEL (the older name); LOG_LEVEL wins when both are set.
  const levelVar = env.LOG_LEVEL !== undefined && env.LOG_LEVEL.trim() !== '' ? 'LOG_LEVEL' : 'MLCOMPILE_LOG_LEVEL';
  const logLevel = (env[levelVar] ?? '').trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`${levelVar}=${JSON.stringify(logLevel)}: use one of ${LOG_LEVELS.join(', ')}`);
  const limitText = env.MLCOMPILE_BODY_LIMIT ?? '';
  return {
    port,
    host: env.HOST !== undefined && env.HOST.trim() !== '' ? env.HOST.trim() : DEFAULT_HOST,
    bodyLimit: limitText.trim() === '' ? DEFAULT_BODY_LIMIT : parseByteSize(limitText, 'MLCOMPILE_BODY_LIMIT'),
    modelsDir: env.MLCOMPILE_MODELS_DIR !== undefined && env.MLCOMPILE_MODELS_DIR.trim() !== '' ? env.MLCOMPILE_MODELS_DIR : defaultModelsDir,
    defaultModel: env.MLCOMPILE_DEFAULT_MODEL !== undefined && env.MLCOMPILE_DEFAULT_MODEL.trim() !== '' ? env.MLCOMPILE_DEFAULT_MODEL.trim() : undefined,
    logLevel,
  };
}

/** 1 GiB: the default body limit of POST .../batch (streamed, so far above the on-demand limit). */
export const DEFAULT_BATCH_BODY_LIMIT = 1024 * 1024 * 1024;

export interface BatchConfig {
  /** MLCOMPILE_BATCH_BODY_LIMIT: largest POST .../batch body. */
  readonly batchBodyLimit: number;
  /** MLCOMPILE_DATA_DIR: where batch jobs read and write (default: data/ beside server.mjs). */
  readonly dataDir: string;
  /** MLCOMPILE_JOB_CONCURRENCY: batch jobs running at once (default 1). */
  readonly jobConcurrency: number;
}

/** The batch settings (kept apart from readConfig, whose result other code compares whole). */
export function readBatchConfig(env: Readonly<Record<string, string | undefined>>, defaultDataDir: string): BatchConfig {
  const limitText = env.MLCOMPILE_BATCH_BODY_LIMIT ?? '';
  const concText = (env.MLCOMPILE_JOB_CONCURRENCY ?? '').trim();
  const jobConcurrency = concText === '' ? 1 : Number(concText);
  if (!Number.isInteger(jobConcurrency) || jobConcurrency < 1 || jobConcurrency > 64) {
    throw new ConfigError(`MLCOMPILE_JOB_CONCURRENCY=${JSON.stringify(concText)}: give an integer from 1 to 64`);
  }
  return {
    batchBodyLimit: limitText.trim() === '' ? DEFAULT_BATCH_BODY_LIMIT : parseByteSize(limitText, 'MLCOMPILE_BATCH_BODY_LIMIT'),
    dataDir: env.MLCOMPILE_DATA_DIR !== undefined && env.MLCOMPILE_DATA_DIR.trim() !== '' ? env.MLCOMPILE_DATA_DIR : defaultDataDir,
    jobConcurrency,
  };
}

/** 120 s: the default time a client has to send a whole request (headers and body). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

/** MLCOMPILE_REQUEST_TIMEOUT: seconds a client has to send its whole request; a stalled client then gets 408 (kept apart from readConfig, like readBatchConfig). */
export function readRequestTimeout(env: Readonly<Record<string, string | undefined>>): number {
  const text = (env.MLCOMPILE_REQUEST_TIMEOUT ?? '').trim();
  if (text === '') return DEFAULT_REQUEST_TIMEOUT_MS;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds >= 0.1 && seconds <= 86_400)) {
    throw new ConfigError(`MLCOMPILE_REQUEST_TIMEOUT=${JSON.stringify(text)}: give the seconds a client has to send a whole request, from 0.1 to 86400`);
  }
  return Math.round(seconds * 1000);
}
