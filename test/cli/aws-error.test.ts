/** One line per AWS failure in `plan` and `record`, with the hint a person needs, whatever the SDK threw. */
import { awsErrorLine } from '../../cli/aws-error';
import { HeadroomError } from '../../core/errors';

function sdkError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('awsErrorLine', () => {
  it.each([
    ['no credential chain', sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), /^CredentialsProviderError: Could not load credentials from any providers — hint: no AWS credentials found: set AWS_PROFILE/],
    ['no region', new Error('Region is missing'), /^Region is missing — hint: no AWS region: set AWS_REGION/],
    ['expired keys', sdkError('ExpiredTokenException', 'The security token included in the request is expired'), /^ExpiredTokenException: .* — hint: AWS rejected the credentials: set AWS_PROFILE/],
    ['unknown key', sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.'), /— hint: AWS rejected the credentials/],
    ['a missing permission, wrapped by an adapter', new HeadroomError('permanent', 'reading the cluster: AccessDeniedException: not authorized to perform ecs:ListContainerInstances', { cause: sdkError('AccessDeniedException', 'not authorized') }), /^reading the cluster: AccessDeniedException: not authorized to perform ecs:ListContainerInstances — hint: the credentials lack a read permission/],
    ['no network', Object.assign(new Error('getaddrinfo ENOTFOUND ecs.xx-nowhere-1.amazonaws.com'), { code: 'ENOTFOUND' }), /— hint: AWS could not be reached: check the network and that AWS_REGION names a region$/],
  ])('%s: one line with its hint', (_name, error, line) => {
    const text = awsErrorLine(error);
    expect(text).toMatch(line);
    expect(text).not.toContain('\n');
  });

  it('an error with no hint keeps its name and only its first line', () => {
    const text = awsErrorLine(sdkError('ValidationError', 'bad request\n    at something (file.js:1:1)'));
    expect(text).toBe('ValidationError: bad request');
  });
});
