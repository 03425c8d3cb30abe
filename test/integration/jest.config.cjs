/**
 * The integration suite: the real adapters and handlers against `moto_server` (an AWS emulator
 * written by others from AWS's API models). One server for the whole run, started by
 * `global-setup.ts` on a free loopback port; files run one at a time (they share it).
 */
const base = require('../../jest.config.cjs');

module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/integration'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/integration/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 60_000,
};
