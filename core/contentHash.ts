// sha256 of a string as hex, for sealing JSON artifacts (node:crypto is allowed in core: no I/O).
import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
