// Entry point of the bundled server (DIR/server.mjs): read the environment, load
// the model repository beside this file, listen, and shut down cleanly.
//   SIGTERM/SIGINT: readiness turns false, in-flight requests finish, then exit 0.
//   SIGHUP: load model versions added to the repository since startup.

import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { batchMain } from './batch-command.js';
import { ConfigError, readBatchConfig, readConfig } from './config.js';
import { ModelRepository, loadModels } from './models-repository.js';

async function main(): Promise<void> {
  // `node server.mjs batch ...`: score a file and exit (batch-command.ts).
  if (process.argv[2] === 'batch') {
    process.exitCode = await batchMain(process.argv.slice(3), fileURLToPath(new URL('./models/', import.meta.url)));
    return;
  }
  let config;
  let batchConfig;
  try {
    config = readConfig(process.env, fileURLToPath(new URL('./models/', import.meta.url)));
    batchConfig = readBatchConfig(process.env, fileURLToPath(new URL('./data/', import.meta.url)));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`mlcompile server: ${e.message}\n`);
    process.exit(2);
  }
  const repository = new ModelRepository(config.defaultModel);
  const state = { ready: false };
  // Log lines (JSON, stdout) are buffered and written 8 KiB at a time, or every 250 ms: a
  // write per line cost ~8% of the server's CPU under load, and an asynchronous write (a
  // thread-pool round trip) more than a synchronous one. What is left is written at exit.
  const logStream = pino.destination({ dest: 1, sync: true, minLength: 8192, periodicFlush: 250 });
  process.on('exit', () => {
    try {
      logStream.flushSync();
    } catch {
      // stdout is gone: nothing to write to.
    }
  });
  const { app, metrics } = buildApp({
    repository,
    state,
    bodyLimit: config.bodyLimit,
    logger: { level: config.logLevel, stream: logStream },
    // The OpenAPI documents are built from the loaded models (the same as DIR/openapi.json for the same models).
    modelsDir: config.modelsDir,
    docsUiDir: fileURLToPath(new URL('./docs-ui/', import.meta.url)),
    batch: { bodyLimit: batchConfig.batchBodyLimit, dataDir: batchConfig.dataDir, concurrency: batchConfig.jobConcurrency },
  });
  const log = app.log;

  try {
    const report = await loadModels(repository, config.modelsDir);
    for (const s of report.skipped) log.warn(`skipped ${s}`);
  } catch (e) {
    log.fatal((e as Error).message);
    process.exit(1);
  }
  if (repository.size === 0) {
    log.fatal(`no models found in ${config.modelsDir} (expected <name>/<version>/model.mjs)`);
    process.exit(1);
  }
  if (config.defaultModel !== undefined && !repository.names().includes(config.defaultModel)) {
    log.fatal(`MLCOMPILE_DEFAULT_MODEL=${config.defaultModel} is not a loaded model (${repository.names().join(', ')})`);
    process.exit(2);
  }
  metrics?.setModels(repository);

  await app.listen({ port: config.port, host: config.host });
  state.ready = true;
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  log.info({ port, host: config.host, models: repository.all().map((m) => `${m.name}/${m.version}`) }, `mlcompile server ready on port ${port}`);
  logStream.flush();

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    closing = true;
    state.ready = false;
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
    loadModels(repository, config.modelsDir).then((r) => {
      metrics?.setModels(repository);
      log.info({ added: r.loaded.map((m) => `${m.name}/${m.version}`) }, `SIGHUP: ${r.loaded.length} model version(s) added`);
      for (const s of r.skipped) log.warn(`skipped ${s}`);
    }, (e: Error) => log.error(`SIGHUP: ${e.message}`));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`mlcompile server: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
