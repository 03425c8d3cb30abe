/** The handlers' logger on Lambda: one JSON object per line on stdout. */
import type { Logger } from '../app/ports';

/** Longest string and array a log line carries (event text is someone else's input). */
const MAX_STRING = 1000;
const MAX_ITEMS = 50;

/** Bound strings and arrays anywhere in a value, saying how much was cut. */
function bounded(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_STRING) return `${value.slice(0, MAX_STRING)}… (${value.length - MAX_STRING} more characters)`;
  if (Array.isArray(value) && value.length > MAX_ITEMS) return [...value.slice(0, MAX_ITEMS), `… (${value.length - MAX_ITEMS} more items)`];
  return value;
}

/**
 * One JSON object per line: CloudWatch Logs Insights reads the fields. `level`, `message` and the
 * logger's own fields always win over a caller's fields of the same name, and every string and
 * array is bounded, so an event's text can neither forge a line nor flood the log.
 */
export function jsonLogger(base: Record<string, unknown> = {}, sink: (line: string) => void = (line) => console.log(line)): Logger {
  const write = (level: string, message: string, data?: Record<string, unknown>): void => sink(JSON.stringify({ ...data, ...base, level, message }, bounded));
  return {
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
