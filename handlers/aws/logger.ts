/** The handlers' logger on Lambda: one JSON object per line on stdout. */
import type { Logger } from '../ports';

/** One JSON object per line: CloudWatch Logs Insights reads the fields. */
export function jsonLogger(base: Record<string, unknown> = {}, sink: (line: string) => void = (line) => console.log(line)): Logger {
  const write = (level: string, message: string, data?: Record<string, unknown>): void => sink(JSON.stringify({ level, message, ...base, ...data }));
  return {
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
