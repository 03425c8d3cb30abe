import type { RunOutput } from './run';
export function renderReport(output: RunOutput): string {
  return `<!doctype html><title>${output.scenario.name}</title>`;
}
