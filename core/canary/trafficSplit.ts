// Deterministic champion/challenger routing for a canary: a request id hashes to a fixed point in [0, 1),
// and the challenger takes the requests below its weight, so raising the weight only ever adds requests.

import { createHash } from 'node:crypto';
import { InvalidInputError } from '../invalidInputError.js';

import { describeValue } from './canarySteps.js';

export { DEFAULT_CANARY_STEPS, validateCanarySteps } from './canarySteps.js';

export type CanaryArm = 'champion' | 'challenger';

/** 2^48: the first 6 bytes of the digest as an integer are below it, and it is exact in a double. */
const TWO_POW_48 = 2 ** 48;

/**
 * A value in [0, 1) fixed by the request id alone: the first 6 bytes of sha256(utf-8 id) as a big-endian
 * integer over 2^48. Same id, same value on every machine and process; sequential ids ("req-1", "req-2")
 * land uniformly because sha256 mixes every input bit into every output bit.
 */
export function requestBucket(requestId: string): number {
  if (typeof requestId !== 'string') {
    throw new InvalidInputError('requestId', `requestId: expected a string, got ${typeof requestId}`);
  }
  const digest = createHash('sha256').update(requestId, 'utf8').digest();
  return digest.readUIntBE(0, 6) / TWO_POW_48;
}

/**
 * The arm that answers `requestId` while the challenger has `challengerWeight` of the traffic: the challenger
 * iff `requestBucket(requestId) < challengerWeight`. Monotone in the weight: a request on the challenger at
 * 5% stays on it at 25%, so a user does not flip between models as the canary advances. Weight 0 sends
 * everything to the champion, weight 1 everything to the challenger.
 */
export function canaryArm(requestId: string, challengerWeight: number): CanaryArm {
  if (typeof challengerWeight !== 'number' || !Number.isFinite(challengerWeight) || challengerWeight < 0 || challengerWeight > 1) {
    throw new InvalidInputError(
      'weight',
      `weight: expected a finite number in [0, 1] (the challenger's share of requests), got ${describeValue(challengerWeight)}`,
    );
  }
  return requestBucket(requestId) < challengerWeight ? 'challenger' : 'champion';
}
