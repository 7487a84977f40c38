// Whether a registered model's file is still where the registry says: a file that failed verification is set aside
// in the artifact store's quarantine/ (see data/artifactStore.ts), and the registry still names it. `models list` and
// `models show` said nothing of it, so a champion looked servable that `serve`, `predict` and `models get` refuse.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { quarantinePathOf } from '../data/artifactStore.js';

/** What is wrong with the local model file at `uri`, in a few words, or undefined (fine, or not a local file). */
export function modelFileProblem(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  const path = fileURLToPath(uri);
  if (existsSync(path)) return undefined;
  return existsSync(quarantinePathOf(path)) ? 'file set aside: it failed verification' : 'file missing';
}
