// Turns the first problem a schema finds in a spec into one InvalidInputError that names the spec path
// (`adasyn.maxSyntheticRatio`), what was expected (read from the JSON Schema of the spec) and what was given, with a
// "did you mean" for a mistyped key.

import type * as z from 'zod';
import { InvalidInputError } from '../invalidInputError.js';
import { closestName } from './closestName.js';

type JsonSchemaNode = {
  type?: string;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  minLength?: number;
  pattern?: string;
  description?: string;
};
type PathKey = PropertyKey;

/** `adasyn.maxSyntheticRatio`, `gates.gates[2].min`; the empty path is the spec itself. */
export function specPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out;
}

/** A value as an error message shows it. */
export function describeGiven(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  // A whole number past 2⁵³ is no longer held exactly: JSON read 9007199254740993 as 9007199254740992.
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return `${value}, a whole number past 2⁵³ (9007199254740991), where a number is no longer held exactly`;
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The schema node that describes the value at `path` (through unions, to the branch that fits the step). */
function nodeAt(root: JsonSchemaNode, path: readonly PathKey[]): JsonSchemaNode | undefined {
  let node: JsonSchemaNode | undefined = root;
  for (const key of path) {
    if (!node) return undefined;
    const branches: JsonSchemaNode[] = node.anyOf ?? [node];
    node =
      typeof key === 'number'
        ? branches.find((b) => b.items)?.items
        : branches.map((b) => b.properties?.[String(key)]).find((p) => p !== undefined);
  }
  return node;
}

const SAFE = Number.MAX_SAFE_INTEGER;
const ITEM_PLURALS: Record<string, string> = {
  string: 'strings',
  number: 'numbers',
  integer: 'integers',
  object: 'objects',
  boolean: 'booleans',
};

function describeRange(n: JsonSchemaNode): string {
  const lo = n.exclusiveMinimum ?? (n.minimum !== undefined && n.minimum > -SAFE ? n.minimum : undefined);
  const hi = n.exclusiveMaximum ?? (n.maximum !== undefined && n.maximum < SAFE ? n.maximum : undefined);
  const loOpen = n.exclusiveMinimum !== undefined;
  const hiOpen = n.exclusiveMaximum !== undefined;
  if (lo !== undefined && hi !== undefined) return ` in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`;
  if (lo !== undefined) return ` ${loOpen ? '>' : '≥'} ${lo}`;
  if (hi !== undefined) return ` ${hiOpen ? '<' : '≤'} ${hi}`;
  return '';
}

/** What a schema node accepts, in words: `an integer in [1, 100000000]`, `"enn", "tomek" or "none"`. */
export function describeExpected(n: JsonSchemaNode | undefined): string {
  if (!n) return 'nothing here';
  if (n.enum) return joinAlternatives(n.enum.map((v) => JSON.stringify(v)));
  if (n.const !== undefined) return JSON.stringify(n.const);
  switch (n.type) {
    case 'integer':
      return `an integer${describeRange(n)}`;
    case 'number':
      return `a finite number${describeRange(n)}`;
    case 'boolean':
      return 'true or false';
    case 'object':
      return n.properties
        ? `an object with ${Object.keys(n.properties)
            .filter((k) => k !== '$schema')
            .join(', ')}`
        : 'an object';
    case 'array':
      return n.description ?? `${n.minItems ? 'a non-empty ' : 'a '}list of ${ITEM_PLURALS[n.items?.type ?? ''] ?? 'values'}`;
    default:
      break;
  }
  if (n.description) return n.description;
  if (n.anyOf) return joinAlternatives(n.anyOf.map(describeExpected));
  if (n.type === 'string') return n.minLength || n.pattern ? 'a non-empty string' : 'a string';
  return 'a valid value';
}

function joinAlternatives(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** A union's issues, replaced by those of the branch the value was meant for (an object for an object, …). */
function unwrapUnions(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  prefix: readonly PathKey[] = [],
): Array<{ issue: z.core.$ZodIssue; path: PathKey[] }> {
  const out: Array<{ issue: z.core.$ZodIssue; path: PathKey[] }> = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const value = valueAt(raw, path);
      // The branch whose first problem lies deeper than the union itself took the value's shape.
      const deeper = issue.errors.find(
        (branch) => branch.length > 0 && branch[0]!.path.length > 0 && typeof value === 'object' && value !== null,
      );
      if (deeper) {
        out.push(...unwrapUnions(deeper, raw, path));
        continue;
      }
    }
    out.push({ issue, path });
  }
  return out;
}

/**
 * The first problem of a failed parse as an InvalidInputError: unknown keys first (a typo often explains a missing
 * field), then the rest in document order. `jsonSchema` is the JSON Schema of the same schema, read for the
 * expected values and the known keys.
 */
export function specIssueError(issues: readonly z.core.$ZodIssue[], raw: unknown, jsonSchema: object, source: string): InvalidInputError {
  const root = jsonSchema as JsonSchemaNode;
  const flat = unwrapUnions(issues, raw);
  const first = flat.find((f) => f.issue.code === 'unrecognized_keys') ?? flat[0];
  if (!first) return new InvalidInputError(source, `${source}: not a valid pipeline spec`);
  const { issue, path } = first;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const at = specPath([...path, key]);
    const node = nodeAt(root, path);
    const known = Object.keys((node?.anyOf?.find((b) => b.properties) ?? node)?.properties ?? {}).filter((k) => k !== '$schema');
    const suggestion = closestName(key, known);
    const parent = path.length === 0 ? 'the spec' : specPath(path);
    const hint = suggestion ? `did you mean ${specPath([...path, suggestion])}? ` : '';
    return new InvalidInputError(
      `${source}: ${at}`,
      `${source}: ${at}: unknown key${hint ? `; ${hint}` : ' '}(${parent} takes ${known.join(', ')})`,
    );
  }
  const at = specPath(path);
  const expected = describeExpected(nodeAt(root, path));
  const where = at === '' ? source : `${source}: ${at}`;
  return new InvalidInputError(where, `${where}: expected ${expected}, got ${describeGiven(valueAt(raw, path))}`);
}
