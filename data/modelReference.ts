// Model references, the one meaning of `--model`: a model file, or a registered model as `NAME` (its champion),
// `NAME@ALIAS` or `NAME/VERSION`, resolved through the registry and verified against its sha256 (like MLflow's
// `models:/` URIs).

import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError } from '../core/invalidInputError.js';
import { isResourceName } from '../core/resourceName.js';
import { exists, quarantinePathOf, readFileVerified } from './artifactStore.js';
import { isS3Uri } from './objectStore.js';
import type { Registry } from './registry.js';
import { openRegistryForReading } from './registryReadAccess.js';
import type { ModelRecord } from './registryModels.js';
import { openArtifactStore, type CacheOptions } from './storageLocations.js';

/** A registered model as named on the command line (a file path is not parsed: it is whatever exists on disk). */
export type ModelReference =
  { form: 'name'; name: string } | { form: 'alias'; name: string; alias: string } | { form: 'version'; name: string; version: number };

/** A registered model found and verified: its record, its 1-based version, its aliases now and its bytes. */
export interface RegisteredModel {
  source: 'registry';
  /** The reference as given, e.g. `card-fraud@champion`. */
  reference: string;
  record: ModelRecord;
  version: number;
  /** Aliases that point at this model now. */
  aliases: string[];
  /** Why it was archived (rolled back), when it was and no alias points at it now. */
  archivedReason?: string;
  /** The local file the bytes were read from (for a model on s3://, its verified copy in the cache). */
  path: string;
  /** The model file, verified against `record.modelSha256`. */
  bytes: Buffer;
}

export type ResolvedModel = { source: 'file'; path: string } | RegisteredModel;

export interface ResolveOptions {
  /** The registry file (RAREFLOW_REGISTRY). */
  registryPath: string;
  /** The flag named in messages. @default '--model' */
  flag?: string;
  /** Where a note goes (the CLI: stderr), e.g. that a file was used although a registered model has the same name. */
  note: (line: string) => void;
  /** Where verified copies of models stored on s3:// are kept (RAREFLOW_CACHE); needed only for such models. */
  cache?: CacheOptions;
  /** The AWS variables that reach an s3:// model's bucket. @default process.env */
  env?: NodeJS.ProcessEnv;
}

const ALIAS = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Names listed in a message at most; the rest are counted. */
const LISTED = 20;

/** `NAME`, `NAME@ALIAS` or `NAME/VERSION`, or undefined when the text has none of these forms. */
export function parseModelReference(text: string): ModelReference | undefined {
  const at = text.lastIndexOf('@');
  if (at > 0) {
    const name = text.slice(0, at);
    const alias = text.slice(at + 1);
    return isResourceName(name) && ALIAS.test(alias) ? { form: 'alias', name, alias } : undefined;
  }
  const slash = text.indexOf('/');
  if (slash > 0) {
    const name = text.slice(0, slash);
    const version = text.slice(slash + 1);
    return isResourceName(name) && /^\d{1,9}$/.test(version) ? { form: 'version', name, version: Number(version) } : undefined;
  }
  return isResourceName(text) ? { form: 'name', name: text } : undefined;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

function listed(items: string[]): string {
  return items.length <= LISTED ? items.join(', ') : `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

function versionsText(name: string, count: number): string {
  return count === 1 ? `version 1 (${name}/1)` : `versions 1–${count} (${name}/1 … ${name}/${count})`;
}

/**
 * What a name has, for a message: its aliases with their versions, and its versions.
 * e.g. `aliases: champion (version 2); versions 1–3 (card-fraud/1 … card-fraud/3)`.
 */
function whatExists(name: string, versions: ModelRecord[], aliases: Array<{ alias: string; modelSha256: string }>): string {
  const versionOf = (sha: string) => versions.findIndex((m) => m.modelSha256 === sha) + 1;
  const aliasText =
    aliases.length === 0 ? 'no aliases' : `aliases: ${aliases.map((a) => `${a.alias} (version ${versionOf(a.modelSha256)})`).join(', ')}`;
  return `${aliasText}; ${versionsText(name, versions.length)}`;
}

/** The model a reference names, or an InvalidInputError that says what exists instead. */
async function findRegistered(
  registry: Registry,
  ref: ModelReference,
  text: string,
  flag: string,
): Promise<{ record: ModelRecord; version: number; aliases: string[]; archivedReason?: string }> {
  const versions = await registry.modelVersions(ref.name);
  if (versions.length === 0) {
    const names = await registry.modelNames();
    const known = names.length === 0 ? 'the registry has no models yet' : `registered models: ${listed(names)}`;
    throw new InvalidInputError(flag, `${flag} ${text}: no model file of that name and no registered model "${ref.name}"; ${known}`);
  }
  const aliases = await registry.aliases(ref.name);
  let record: ModelRecord | undefined;
  if (ref.form === 'version') {
    record = versions[ref.version - 1];
    if (record === undefined)
      throw new InvalidInputError(
        flag,
        `${flag} ${text}: model ${ref.name} has no version ${ref.version}; it has ${whatExists(ref.name, versions, aliases)}`,
      );
  } else {
    const alias = ref.form === 'alias' ? ref.alias : 'champion';
    const sha = aliases.find((a) => a.alias === alias)?.modelSha256;
    if (sha === undefined) {
      const what = ref.form === 'alias' ? `no alias "${alias}"` : 'no champion yet';
      throw new InvalidInputError(
        flag,
        `${flag} ${text}: model ${ref.name} has ${what}; it has ${whatExists(ref.name, versions, aliases)}`,
      );
    }
    record = versions.find((m) => m.modelSha256 === sha);
    if (record === undefined)
      throw new InvalidInputError(
        flag,
        `${flag} ${text}: the ${alias} of ${ref.name} points at model ${sha}, which the registry has no record of`,
      );
  }
  const chosen = record;
  const pointing = aliases.filter((a) => a.modelSha256 === chosen.modelSha256).map((a) => a.alias);
  const archived =
    pointing.length === 0
      ? (await registry.archivedModels(ref.name)).filter((a) => a.modelSha256 === chosen.modelSha256).at(-1)
      : undefined;
  return {
    record: chosen,
    version: versions.indexOf(chosen) + 1,
    aliases: pointing,
    ...(archived ? { archivedReason: archived.reason } : {}),
  };
}

/** `s3://…/<sha[0:2]>/<sha>.json`, as the s3:// artifact store lays out a model: the store's root, or undefined. */
function s3StoreRoot(uri: string, sha256: string): string | undefined {
  const tail = `/${sha256.slice(0, 2)}/${sha256}.json`;
  return uri.endsWith(tail) && uri.length > 's3://'.length + tail.length ? uri.slice(0, -tail.length) : undefined;
}

/** The bytes of a registered model on s3://, through the artifact store's verified cache (IntegrityError when damaged). */
async function readRegisteredObject(
  record: ModelRecord,
  text: string,
  flag: string,
  o: ResolveOptions,
): Promise<{ path: string; bytes: Buffer }> {
  const root = s3StoreRoot(record.uri, record.modelSha256);
  if (root === undefined)
    throw new InvalidInputError(
      flag,
      `${flag} ${text}: the model is stored at ${record.uri}; expected s3://BUCKET/PREFIX/${record.modelSha256.slice(0, 2)}/${record.modelSha256}.json as the artifact store writes it`,
    );
  if (o.cache === undefined)
    throw new InvalidInputError(
      flag,
      `${flag} ${text}: the model is stored at ${record.uri}, and no local cache was given to read it into`,
    );
  const store = openArtifactStore(root, o.cache, { env: o.env ?? process.env });
  const ref = { sha256: record.modelSha256, uri: record.uri, bytes: 0, kind: 'model' };
  const bytes = await store.readVerified(ref);
  return { path: await store.localFile(ref), bytes };
}

/** The bytes of a registered model from its URI, checked against its recorded sha256 (IntegrityError when not). */
async function readRegisteredFile(
  record: ModelRecord,
  text: string,
  flag: string,
  o: ResolveOptions,
): Promise<{ path: string; bytes: Buffer }> {
  if (isS3Uri(record.uri)) return readRegisteredObject(record, text, flag, o);
  if (!record.uri.startsWith('file:'))
    throw new InvalidInputError(flag, `${flag} ${text}: the model is stored at ${record.uri}; expected a file:// or s3:// URI`);
  const path = fileURLToPath(record.uri);
  if (!(await isFile(path))) {
    const quarantined = quarantinePathOf(path);
    throw new InvalidInputError(
      flag,
      (await isFile(quarantined))
        ? `${flag} ${text}: the registry records the model at ${path}, which failed verification (its bytes changed after it was written) and was set aside as ${quarantined}; retrain the model, or restore the file from a backup`
        : `${flag} ${text}: the registry records the model at ${path}, but there is no such file: it was deleted, or the artifact store moved`,
    );
  }
  return { path, bytes: await readFileVerified(path, record.modelSha256, 'model') };
}

/**
 * Resolves `--model TEXT`. An existing file is used as it is; when a registered model also answers to the text,
 * a note says the file won. Otherwise a `NAME`, `NAME@ALIAS` or `NAME/VERSION` is looked up in the registry, read
 * from its URI and verified. Text of neither form, or a registered form that matches nothing, is an
 * InvalidInputError naming what exists.
 */
export async function resolveModelReference(text: string, o: ResolveOptions): Promise<ResolvedModel> {
  const flag = o.flag ?? '--model';
  // A model file is read from a local path or, by name, from the registry's store (which may be on S3); an s3:// URI
  // given here was once looked for as a local file relative to the working directory and said not to exist.
  if (isS3Uri(text)) {
    throw new InvalidInputError(
      `${flag} ${text}`,
      `${flag}: ${text} is an s3:// URI; expected a local model file, or a registered model as NAME, NAME@ALIAS or NAME/VERSION (a registered model is read from the store, S3 included)`,
    );
  }
  const ref = parseModelReference(text);
  const registryExists = await isFile(o.registryPath);
  if (await isFile(text)) {
    if (ref && registryExists) await noteWhenAlsoRegistered(text, ref, o);
    return { source: 'file', path: text };
  }
  if (ref === undefined || /\.json$/i.test(text)) {
    // A .json path that names nothing is said as that (a directory, a file it cannot open, or a malformed name keeps
    // the general words).
    const missing = /\.json$/i.test(text) && !(await exists(text));
    const from = isAbsolute(text) ? '' : ` (it is resolved from ${process.cwd()})`;
    throw new InvalidInputError(
      `${flag} ${text}`,
      missing
        ? `${flag}: model file ${text} does not exist${from}; expected a model file written by rareflow train or fit, or a registered model as NAME, NAME@ALIAS or NAME/VERSION`
        : `${flag}: cannot read ${text}; expected a model file written by rareflow train or fit, or a registered model as NAME, NAME@ALIAS or NAME/VERSION`,
    );
  }
  if (!registryExists)
    throw new InvalidInputError(
      flag,
      `${flag} ${text}: no model file of that name, and no registry at ${o.registryPath} to look up a registered model (set RAREFLOW_REGISTRY or RAREFLOW_HOME to the registry in use)`,
    );
  const reader = await openRegistryForReading(o.registryPath);
  try {
    const found = await findRegistered(reader.registry, ref, text, flag);
    const file = await readRegisteredFile(found.record, text, flag, o);
    return { source: 'registry', reference: text, ...found, ...file };
  } finally {
    await reader.close();
  }
}

/**
 * The note for a file that shadows a registered model. Advice only: when the registry cannot be read, no note is
 * written and the file is still used, so a registry problem never stops scoring a file.
 */
async function noteWhenAlsoRegistered(text: string, ref: ModelReference, o: ResolveOptions): Promise<void> {
  let registered: boolean;
  try {
    const reader = await openRegistryForReading(o.registryPath);
    try {
      registered = (await reader.registry.modelVersions(ref.name)).length > 0;
    } finally {
      await reader.close();
    }
  } catch {
    return;
  }
  if (registered)
    o.note(
      `note: ${o.flag ?? '--model'} ${text}: using the file ${text}; a registered model "${ref.name}" exists too (to use it, run from a directory without that file)`,
    );
}
