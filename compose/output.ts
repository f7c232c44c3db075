/**
 * Where a child process's output goes: each line to a sink, prefixed with the
 * child's name on stdout (coloured on a terminal), or nowhere (tests keep the
 * last lines for error messages instead).
 */

/** Receives one line of a child's output (without the newline). */
export type LineSink = (line: string) => void;

const COLORS = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94];
let nextColor = 0;
const useColor = () => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

/** A sink that writes `[label] line` to stdout (label coloured on a terminal). */
export function prefixedSink(label: string, color?: number): LineSink {
  const c = color ?? COLORS[nextColor++ % COLORS.length];
  const tag = useColor() ? `\x1b[${c}m[${label}]\x1b[0m` : `[${label}]`;
  return (line) => {
    process.stdout.write(`${tag} ${line}\n`);
  };
}

/** A sink that drops everything (the output is still kept for error messages). */
export const silentSink: LineSink = () => {};
