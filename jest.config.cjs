/** Jest with the swc transform: type checking is done once by `tsc --noEmit` in `npm test`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // The moto suite has its own config (npm run test:integration).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/'],
  testMatch: ['**/*.test.ts'],
  // The AWS SDK's Node.js version warning off in every test process (cli/sdk-options.ts).
  setupFiles: ['<rootDir>/test/setup/quiet-sdk.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
