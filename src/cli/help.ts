// Help texts shared by several commands: the usage synopsis, the data-file conventions and exit codes.

/** The root command's usage lines (`mlcompile --help`; README.md's "Command line" shows the same). */
export const USAGE = `<model-file> [--target module|server] [--out DIR] [--name NAME] [--model-version V]
                 [--force] [--baseline FILE] [--no-optimize]
       mlcompile validate <model-file> --inputs FILE --expected FILE [--rtol R] [--atol A] [--report FILE]
       mlcompile predict <model-file|compiled-dir> --inputs FILE [--out FILE]
       mlcompile inspect <model-file> [--print-after PASS] [--no-optimize]`;

export const DATA_FILES_HELP = `
Data files (--inputs, --expected; chosen by extension):
  .jsonl (also .ndjson, .json)  JSON Lines, one object per line:
      inputs    {"x": {"type": "float32", "dims": [1, 4], "data": [5.1, 3.5, 1.4, 0.2]}}
                "type" defaults to the model's, "dims" to the declared shape; a bare
                array ("x": [[5.1, 3.5, 1.4, 0.2]]) stands for "data".
      expected  {"y": {"type": "float32", "dims": [1, 3], "data": [0.1, 0.7, 0.2]}}
                "type" and "dims" are checked only when given; without them
                ("y": [0.1, 0.7, 0.2]) only the values (and their count) are compared.
                Outputs left out of a line are not compared.
  .csv  a header row, then one row per feed:
      inputs    a column per input ("x"), or per element ("x[0]", "x[1]", ...,
                row-major); a model with one input also takes all columns, in header
                order, as that input's values (shape [N, k] -> one [1, k] row).
      expected  a column per output ("y"), or per element ("y[0]", "y[1]", ...),
                exactly what "predict --out FILE.csv" writes.
  Numbers may be NaN, Infinity, -Infinity (also inf, -inf); an empty CSV cell is NaN.
  Write 64-bit integers beyond 2^53 as strings in JSON ("9007199254740993").
  Leading symbolic dims of an input are taken as 1 ([N, 4] with 4 values -> [1, 4]).
`;

export const EXIT_CODES_HELP = `
Exit codes:
  0   success
  1   validate: some row disagrees with the expected output
  2   usage error: bad flags or arguments, missing or malformed data files, files
      that cannot be read or written
  3   invalid or unsupported model (the message names the file, node and problem)
  70  internal error (a bug; --verbose or MLCOMPILE_DEBUG=1 shows the stack trace)
`;
