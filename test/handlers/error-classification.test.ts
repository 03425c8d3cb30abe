import { HeadroomError } from '../../core/errors';
import { classify } from '../../handlers/aws/util';

/** An SDK v3 service exception as the clients throw it: a name and the HTTP status. */
function sdkError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from the service`), { name, $metadata: { httpStatusCode: status } });
}

function outcome(error: unknown): 'retried' | 'surfaced' {
  try {
    classify(error, 'test');
  } catch (thrown) {
    return thrown instanceof HeadroomError && thrown.category === 'permanent' ? 'surfaced' : 'retried';
  }
  throw new Error('classify must throw');
}

describe('SDK error classification: retry what a later attempt can get past, surface what it cannot', () => {
  it.each<[string, Error, 'retried' | 'surfaced']>([
    ['throttling (400) is retried', sdkError('ThrottlingException', 400), 'retried'],
    ['Auto Scaling rate limit is retried', sdkError('Throttling', 400), 'retried'],
    ['a request timeout (408) is retried', sdkError('RequestTimeoutException', 408), 'retried'],
    ['a scaling activity in progress is retried', sdkError('ScalingActivityInProgress', 400), 'retried'],
    ['resource contention is retried', sdkError('ResourceContention', 500), 'retried'],
    ['a server error (500) is retried', sdkError('ServerException', 500), 'retried'],
    ['an unnamed network error is retried', new Error('socket hang up'), 'retried'],
    ['access denied is permanent (retrying cannot fix it; it must surface)', sdkError('AccessDeniedException', 400), 'surfaced'],
    ['a validation error is permanent', sdkError('ValidationError', 400), 'surfaced'],
    ['an invalid parameter is permanent', sdkError('InvalidParameterException', 400), 'surfaced'],
  ])('%s', (_rule, error, expected) => {
    expect(outcome(error)).toBe(expected);
  });
});
