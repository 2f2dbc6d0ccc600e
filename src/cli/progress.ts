// Progress for long work on a terminal (CONTRACT §1). The bar appears only on a TTY,
// only once the work has taken a moment (short runs stay quiet), and on stderr so
// stdout stays clean for results.

import cliProgress from 'cli-progress';

export interface Progress {
  update(p: { rows: number; bytes: number; totalBytes: number }): void;
  stop(): void;
}

const QUIET: Progress = { update() {}, stop() {} };
const DELAY_MS = 300;

export function startProgress(label: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return QUIET;
  const start = Date.now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    update({ rows, bytes, totalBytes }) {
      if (bar === undefined) {
        if (Date.now() - start < DELAY_MS) return;
        bar = new cliProgress.SingleBar({
          format: `${label} [{bar}] {percentage}% | {rows} rows | ETA {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
        }, cliProgress.Presets.shades_classic);
        bar.start(Math.max(totalBytes, 1), 0, { rows });
      }
      bar.update(Math.min(bytes, totalBytes), { rows });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
