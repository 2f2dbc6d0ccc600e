// Entry point of the bundled server (DIR/server.mjs): read the environment, load
// the model repository beside this file, listen, and shut down cleanly.
//   SIGTERM/SIGINT: readiness turns false, in-flight requests finish, then exit 0.
//   SIGHUP: load model versions added to (or changed in) the repository since startup;
//   the version watcher (version-watcher.ts) does the same on its own unless MLCOMPILE_WATCH=0;
//   then re-read the configuration file (config-reload.ts: also on POST
//   /v2/repository/config/reload, and on a file change unless MLCOMPILE_WATCH=0 or
//   MLCOMPILE_CONFIG_WATCH=0).

import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { batchMain } from './batch-command.js';
import { setupObservation } from './capture-setup.js';
import { ConfigError, readBatchConfig, readConfig, readRequestTimeout } from './config.js';
import { findConfigFile, readConfigFile } from './config-file.js';
import { configReloader, onConfigReload } from './config-reload.js';
import { setDefaultCaptureRate } from './capture.js';
import { LogBuffer } from './log-buffer.js';
import { describeEnvironment, resolveEnvironment } from './profile.js';
import type { AccessControls } from './profile-hooks.js';
import { ModelRepository } from './models-repository.js';
import { readRoutingSeed } from './routing.js';
import { VersionWatcher, readWatchConfig } from './version-watcher.js';

async function main(): Promise<void> {
  // `node server.mjs batch ...`: score a file and exit (batch-command.ts).
  if (process.argv[2] === 'batch') {
    process.exitCode = await batchMain(process.argv.slice(3), fileURLToPath(new URL('./models/', import.meta.url)));
    return;
  }
  let config;
  let batchConfig;
  let requestTimeout;
  let watchConfig;
  let configSections;
  let environment;
  let observation;
  let routingSeed;
  try {
    watchConfig = readWatchConfig(process.env);
    config = readConfig(process.env, fileURLToPath(new URL('./models/', import.meta.url)));
    batchConfig = readBatchConfig(process.env, fileURLToPath(new URL('./data/', import.meta.url)));
    requestTimeout = readRequestTimeout(process.env);
    routingSeed = readRoutingSeed(process.env);
    configSections = readConfigFile(findConfigFile(process.env, fileURLToPath(new URL('./', import.meta.url))));
    // The profile and its overrides (profile.ts); production without tokens stops here (exit 2).
    environment = resolveEnvironment(process.env, configSections);
    // Data capture and drift monitoring (capture-setup.ts): decided before the app is built, so that
    // the request hook is installed only when one of them is on.
    observation = setupObservation({
      env: process.env,
      sections: configSections,
      defaultCaptureDir: fileURLToPath(new URL('./capture/', import.meta.url)),
      modelsDir: config.modelsDir,
      profileCaptureRate: environment.captureRate,
      log: { error: (m) => app.log.error(m), warn: (m) => app.log.warn(m), info: (m) => app.log.info(m) },
    });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`mlcompile server: ${e.message}\n`);
    process.exit(2);
  }
  const repository = new ModelRepository(config.defaultModel);
  const state = { ready: false };
  // Log lines (JSON, stdout) are buffered and written 32 KiB at a time, or every 250 ms: a
  // write per line cost ~8% of the server's CPU under load, and an asynchronous write (a
  // thread-pool round trip) more than a synchronous one. The buffer is ours (log-buffer.ts:
  // sonic-boom's own measured every line in bytes); sonic-boom writes each batch, retrying
  // a full pipe. It is given the batch as bytes: with a string it measures it, encodes it
  // to write it and encodes it again to count what was written. What is left is written
  // at exit.
  const destination = pino.destination({ dest: 1, sync: true, contentMode: 'buffer' });
  // (sonic-boom's types know only its string mode's write.)
  const writeBuffer = destination.write.bind(destination) as unknown as (data: Buffer) => boolean;
  const logStream = new LogBuffer({ write: writeBuffer, flushSync: () => destination.flushSync() });
  process.on('exit', () => {
    try {
      logStream.flushSync();
    } catch {
      // stdout is gone: nothing to write to.
    }
  });
  let accessControls: AccessControls | undefined;
  const { app, metrics, lifecycle, context } = buildApp({
    repository,
    state,
    bodyLimit: environment.bodyLimit,
    logger: { level: environment.logLevel, stream: logStream },
    // The OpenAPI documents are built from the loaded models (the same as DIR/openapi.json for the same models).
    modelsDir: config.modelsDir,
    docsUiDir: fileURLToPath(new URL('./docs-ui/', import.meta.url)),
    batch: { bodyLimit: batchConfig.batchBodyLimit, dataDir: batchConfig.dataDir, concurrency: batchConfig.jobConcurrency },
    requestTimeout,
    environment,
    onAccessControls: (c) => { accessControls = c; },
    configReloader,
    observation,
    routingSeed,
  });
  const log = app.log;
  const serverDir = fileURLToPath(new URL('./', import.meta.url));
  configReloader.configure({ locate: () => findConfigFile(process.env, serverDir), log: { info: (m) => log.info(m), error: (m) => log.error(m) } });
  // One line with the effective settings (never a token).
  log.info(describeEnvironment(environment), `environment: ${environment.profile} profile`);
  onConfigReload((sections) => {
    const next = resolveEnvironment(process.env, sections);
    return () => {
      app.log.level = next.logLevel;
      accessControls?.update(next);
      setDefaultCaptureRate(next.captureRate);
      log.info(describeEnvironment(next), `environment: ${next.profile} profile (reloaded; CORS, a rate limit or auth turned on or off take a restart)`);
    };
  });

  // Every version directory; one that is incomplete or broken is refused with a log line
  // and the others serve (version-lifecycle.ts).
  await lifecycle?.scan();
  if (repository.size === 0) {
    log.fatal(`no models found in ${config.modelsDir} (expected <name>/<version>/model.mjs)`);
    process.exit(1);
  }
  if (config.defaultModel !== undefined && !repository.names().includes(config.defaultModel)) {
    log.fatal(`MLCOMPILE_DEFAULT_MODEL=${config.defaultModel} is not a loaded model (${repository.names().join(', ')})`);
    process.exit(2);
  }
  metrics?.setModels(repository);
  // Routing names models and versions: checked once they are loaded; a bad routing section stops here (exit 2).
  try {
    // Logged when the file has a routing section (without one, nothing changes: the latest versions answer).
    context.router.prepare(configSections.routing, configSections.routing === undefined ? undefined : log)();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // A routed version whose directory was refused (broken, half-written) is not served: the
    // start fails rather than serving a routing nobody configured; the reason is named here.
    const refused = lifecycle?.index().filter((s) => s.state !== 'READY').map((s) => `${s.name}/${s.version}: ${s.reason}`) ?? [];
    process.stderr.write(`mlcompile server: ${e.message}${refused.length > 0 ? ` (refused at load: ${refused.join('; ')})` : ''}\n`);
    process.exit(2);
  }

  await app.listen({ port: config.port, host: config.host });
  state.ready = true;
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  log.info({ port, host: config.host, models: repository.all().map((m) => `${m.name}/${m.version}`) }, `mlcompile server ready on port ${port}`);
  logStream.flush();

  // New version directories are loaded and swapped in while serving.
  const watcher = new VersionWatcher(config.modelsDir, watchConfig, () => {
    lifecycle?.scan().catch((e: Error) => log.error(`model repository scan: ${e.message}`));
  }, (msg) => log.warn(msg));
  watcher.start();
  if (watchConfig.configFile) configReloader.watch(serverDir);

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    closing = true;
    state.ready = false;
    watcher.stop();
    configReloader.unwatch();
    log.info(`${signal}: finishing in-flight requests`);
    // close() stops accepting and closes idle keep-alive connections; a connection that goes
    // idle later (its request was in flight) is closed 100 ms after its answer, not left open
    // for the 72 s keep-alive timeout, which would hold the exit up.
    app.server.keepAliveTimeout = 100;
    app.close().then(() => {
      log.info(`${signal}: in-flight requests finished, exiting`);
      process.exit(0);
    }, (e: Error) => {
      log.error(e.message);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    // Models first, so that a routing section naming a version just added is accepted.
    const reloadConfig = (): void => {
      try {
        configReloader.reload('SIGHUP');
      } catch {
        // Logged by reload(); the previous configuration keeps applying.
      }
    };
    (lifecycle?.scan() ?? Promise.resolve(undefined)).then((r) => {
      if (r !== undefined) log.info({ added: r.loaded, refused: r.refused }, `SIGHUP: ${r.loaded.length} model version(s) added`);
      reloadConfig();
    }, (e: Error) => {
      log.error(`SIGHUP: ${e.message}`);
      reloadConfig();
    });
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`mlcompile server: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
