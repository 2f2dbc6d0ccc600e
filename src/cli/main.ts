// The command line (CONTRACT §1), with commander. Compiling is the root command's own
// action (`mlcompile <model-file>`); validate, predict and inspect are subcommands.
// Only src/cli prints or decides exit codes; everything else throws. Commands load the
// compiler (src/api.ts) when they run, so --help and usage errors answer at once.

import { Command } from 'commander';
import { COMPILER_VERSION } from '../version.js';
import { compileCommand, defineCompileOptions, type CompileFlags } from './compile.js';
import { ExitCode, reportFailure } from './errors.js';
import { printErr } from './output.js';
import { DATA_FILES_HELP, EXIT_CODES_HELP, USAGE } from './help.js';
import { defineInspectCommand, inspectCommand, type InspectFlags } from './inspect.js';
import { definePredictCommand, predictCommand, type PredictFlags } from './predict.js';
import { defineValidateCommand, validateCommand, type ValidateFlags } from './validate.js';

const VERBOSE_HELP = 'show stack traces of internal errors (also MLCOMPILE_DEBUG=1)';

/** Builds the command tree; each action stores its exit code in `done`. */
export function buildProgram(done: (code: number) => void): Command {
  const program = new Command('mlcompile');
  program
    .usage(USAGE)
    .description('Compile ONNX and PMML models into dependency-free JavaScript modules (model.mjs, model.cjs, model.d.ts, model.ts).')
    .version(COMPILER_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (also: mlcompile <command> --help)')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError('(run "mlcompile --help" for usage)');
  const compile = async (modelFile: string | undefined, flags: CompileFlags, cmd: Command): Promise<void> => {
    if (modelFile === undefined) {
      cmd.help({ error: true }); // usage on stderr, exit 2
      return;
    }
    done(await compileCommand(modelFile, flags));
  };
  defineCompileOptions(program)
    .option('--verbose', VERBOSE_HELP)
    .addHelpText('after', DATA_FILES_HELP + EXIT_CODES_HELP)
    .action(compile);
  defineCompileOptions(program.command('compile').usage('<model-file> [options]'))
    .description('compile a model into a module directory (the default command: "compile" may be left out)')
    .option('--verbose', VERBOSE_HELP)
    .action(compile);
  defineValidateCommand(program.command('validate').usage('<model-file> --inputs FILE --expected FILE [options]'))
    .option('--verbose', VERBOSE_HELP)
    .action(async (modelFile: string, flags: ValidateFlags) => done(await validateCommand(modelFile, flags)));
  definePredictCommand(program.command('predict').usage('<model-file|compiled-dir> --inputs FILE [--out FILE] [options]'))
    .option('--verbose', VERBOSE_HELP)
    .action(async (model: string, flags: PredictFlags) => done(await predictCommand(model, flags)));
  defineInspectCommand(program.command('inspect').usage('<model-file> [--print-after PASS] [options]'))
    .option('--verbose', VERBOSE_HELP)
    .action(async (modelFile: string, flags: InspectFlags) => done(await inspectCommand(modelFile, flags)));
  return program;
}

/** Runs the CLI on `args` (without node and the script) and returns the exit code. */
export async function runCli(args: readonly string[]): Promise<number> {
  let code = 0;
  const verbose = args.includes('--verbose') || process.env.MLCOMPILE_DEBUG === '1';
  try {
    await buildProgram((c) => { code = c; }).parseAsync(args.slice(), { from: 'user' });
    return code;
  } catch (e) {
    return reportFailure(e, verbose);
  }
}

/** The entry point bin/mlcompile.mjs calls. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // A reader that stops early (`mlcompile predict ... | head`) is not a failure of ours.
    if (e.code === 'EPIPE') process.exit(ExitCode.ok);
    printErr(`mlcompile: cannot write to stdout: ${e.message}`);
    process.exit(ExitCode.internal);
  });
  process.exitCode = await runCli(argv.slice(2));
}
