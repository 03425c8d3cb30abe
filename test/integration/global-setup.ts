/**
 * Starts one `moto_server` for the suite and points the AWS SDK at it. Without `moto_server` on
 * PATH: under CI (`CI=true`) the run fails; elsewhere every case is skipped with one line saying how
 * to install it (see `moto.ts`, `describeMoto`).
 */
import { findMotoServer, INSTALL_HINT, startMoto } from './moto-server';

export default async function globalSetup(): Promise<void> {
  const executable = findMotoServer();
  if (executable === undefined) {
    if (/^(true|1)$/i.test(process.env.CI ?? '')) {
      throw new Error(`moto_server is not on PATH and CI is set: the integration suite cannot run. Install it with: ${INSTALL_HINT}`);
    }
    process.stdout.write(`\nmoto_server not found: integration tests skipped (install it with: ${INSTALL_HINT})\n`);
    return;
  }
  const moto = await startMoto(executable);
  (globalThis as { __moto?: unknown }).__moto = moto.child;
  // The SDK's service-agnostic endpoint override; dummy credentials and region; moto cannot read
  // gzip request bodies, which the SDK sends for CloudWatch PutMetricData above 10 KiB.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_DISABLE_REQUEST_COMPRESSION: 'true',
    HEADROOM_MOTO_ENDPOINT: moto.endpoint,
  });
  delete process.env.AWS_PROFILE;
}
