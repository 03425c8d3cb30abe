/**
 * One line for a failed AWS read in a command run by a person (`plan`, `record`): what failed, and
 * what to do about it, never an SDK stack. The SDK's own names and texts are matched: a missing
 * credential chain throws `CredentialsProviderError` ("Could not load credentials from any
 * providers"), a missing region "Region is missing" (AWS SDK for JavaScript v3 Developer Guide,
 * "Setting credentials in Node.js" and "Configure the AWS Region"); rejected or expired keys come
 * back from the service as `ExpiredToken*`, `InvalidClientTokenId`, `UnrecognizedClientException`,
 * `SignatureDoesNotMatch` or `AuthFailure`, missing permissions as `AccessDenied*` or
 * `UnauthorizedOperation` (each service's "Common Errors" page).
 */
import { HeadroomError } from '../core/errors';

const CREDENTIALS_HINT = 'set AWS_PROFILE to a configured profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in again with aws sso login';

function nameOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : '';
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : '';
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

/** The hint for an error, by its name, code and text; undefined when there is nothing to add. */
function hintFor(name: string, code: string, message: string): string | undefined {
  if (name === 'CredentialsProviderError' || /could not load credentials|credential is missing/i.test(message)) return `no AWS credentials found: ${CREDENTIALS_HINT}`;
  if (/region is missing/i.test(message)) return 'no AWS region: set AWS_REGION, for example AWS_REGION=eu-west-1, or a region in the profile';
  if (/^(ExpiredToken|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|AuthFailure|InvalidSignature)/.test(name)) return `AWS rejected the credentials: ${CREDENTIALS_HINT}`;
  if (/^(AccessDenied|UnauthorizedOperation)/.test(name)) return 'the credentials lack a read permission: docs/recording.md lists the calls each command makes';
  if (/^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET)$/.test(code)) return 'AWS could not be reached: check the network and that AWS_REGION names a region';
  return undefined;
}

/** `what: Name: message — hint: …` on one line; the cause of a `HeadroomError` is looked through for the name. */
export function awsErrorLine(error: unknown): string {
  const cause = error instanceof HeadroomError && error.cause !== undefined ? error.cause : error;
  const name = nameOf(cause);
  const message = error instanceof Error ? error.message : String(error);
  const causeMessage = cause instanceof Error ? cause.message : message;
  const hint = hintFor(name, codeOf(cause), causeMessage);
  const text = firstLine(message);
  const named = name !== '' && name !== 'Error' && !text.includes(name) ? `${name}: ${text}` : text;
  return hint !== undefined ? `${named} — hint: ${hint}` : named;
}
