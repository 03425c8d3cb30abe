/**
 * The default scenario, embedded so `npm start` needs no file argument: it is
 * `scenarios/default.json`, bundled at build time (one source, no copy to keep in sync).
 */
import scenario from '../scenarios/default.json';

export const DEFAULT_SCENARIO: unknown = scenario;
