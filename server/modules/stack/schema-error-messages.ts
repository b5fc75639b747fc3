// Turns ajv's raw errors into one actionable sentence per problem: oneOf noise is resolved
// to the branch that matches the value's type, and unknown keys get a "did you mean".
import type { ErrorObject } from 'ajv'
import { describeType, formatPath, isMapping, type PathSegment, type StackIssue } from './stack-issue'

export type SchemaNode = {
  type?: string | string[]
  $ref?: string
  oneOf?: SchemaNode[]
  anyOf?: SchemaNode[]
  properties?: Record<string, unknown>
  patternProperties?: Record<string, unknown>
  [keyword: string]: unknown
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  array: 'a list',
  object: 'a mapping',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'a boolean',
  null: 'empty',
}
const NAME_PATTERN = '^[a-zA-Z0-9._-]+$'
const SECTION_NOUNS: Record<string, string> = { services: 'service', networks: 'network', volumes: 'volume', secrets: 'secret' }
/** What to write instead, for the type mistakes people make most, keyed by the field name. */
const TYPE_HINTS: Record<string, string> = {
  memory: 'write a size with a unit, like "512M"',
  ports: 'write one port per list item, like - "8080:80"',
  volumes: 'write one mount per list item, like - "data:/var/lib/data"',
  user: 'quote it, like "10001:10001"',
}

export function explainSchemaErrors(errors: ErrorObject[], data: unknown, root: SchemaNode): StackIssue[] {
  const alive = new Set(errors)
  const matchedAt = new Set<string>()
  const issues: StackIssue[] = []
  const depth = (e: ErrorObject) => (e.instancePath === '' ? 0 : e.instancePath.split('/').length)
  // Outermost first; at the same path ajv reports the inner oneOf before the outer one.
  const composites = errors
    .map((error, index) => ({ error, index }))
    .filter(({ error }) => error.keyword === 'oneOf' || error.keyword === 'anyOf')
    .sort((a, b) => depth(a.error) - depth(b.error) || b.index - a.index)
    .map(({ error }) => error)

  for (const composite of composites) {
    if (!alive.has(composite)) continue
    alive.delete(composite)
    const at = composite.instancePath
    const branches = (Array.isArray(composite.schema) ? composite.schema : []) as SchemaNode[]
    const matching = branches.flatMap((branch, index) => (accepts(resolve(branch, root), composite.data, root) ? [index] : []))
    if (matching.length === 1) {
      // The value has the right type for one form: its errors explain the problem; the
      // other forms' "must be string/array" errors are noise.
      matchedAt.add(at)
      for (const error of [...alive]) {
        const otherBranch = branches.some((_, index) => index !== matching[0] && error.schemaPath.startsWith(`${composite.schemaPath}/${index}/`))
        if (error.instancePath === at && (error.keyword === 'type' || otherBranch)) alive.delete(error)
      }
    } else if (matching.length === 0 && !matchedAt.has(at)) {
      const expected = branches.flatMap((branch) => typesOf(resolve(branch, root), root))
      const where = pathOf(at, data)
      issues.push({ at: where, message: `${describe(where)} must be ${joinTypes(expected)} (got ${describeType(composite.data)})` })
      for (const error of [...alive]) if (error.instancePath === at || error.instancePath.startsWith(`${at}/`)) alive.delete(error)
    }
  }

  for (const error of errors) if (alive.has(error)) issues.push(explainOne(error, data))
  const seen = new Set<string>()
  return issues.filter((issue) => {
    const key = `${formatPath(issue.at)}\n${issue.message}`
    return seen.has(key) ? false : (seen.add(key), true)
  })
}

function explainOne(error: ErrorObject, data: unknown): StackIssue {
  const at = pathOf(error.instancePath, data)
  const where = describe(at)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'type': {
      const hint = TYPE_HINTS[String(at[at.length - 1])]
      return { at, message: `${where} must be ${joinTypes([params.type].flat() as string[])} (got ${describeType(error.data)})${hint ? `: ${hint}` : ''}` }
    }
    case 'additionalProperties':
      return unknownKey(at, String(params.additionalProperty), error.parentSchema as SchemaNode | undefined)
    case 'required':
      return { at, message: `${where} is missing "${String(params.missingProperty)}": add it` }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')
      return { at, message: `${where} must be one of ${allowed} (got ${JSON.stringify(error.data)})` }
    }
    case 'format':
      if (params.format === 'duration') {
        return { at, message: `${where} must be a duration like "10s", "1m30s" or "500ms" (got ${JSON.stringify(error.data)})` }
      }
      return { at, message: `${where} is not a valid ${String(params.format)} (got ${JSON.stringify(error.data)})` }
    case 'uniqueItems': {
      const [first, second] = [Number(params.i), Number(params.j)].sort((a, b) => a - b)
      return { at, message: `${where} lists the same entry twice (items ${first} and ${second}): remove the duplicate` }
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { at, message: `${where} must be ${String(params.comparison)} ${String(params.limit)} (got ${JSON.stringify(error.data)})` }
    default:
      return { at, message: `${where} ${error.message ?? 'is not valid'}` }
  }
}

function unknownKey(parentAt: PathSegment[], key: string, parent: SchemaNode | undefined): StackIssue {
  const at = [...parentAt, key]
  const patterns = Object.keys(parent?.patternProperties ?? {}).filter((p) => p !== '^x-')
  if (patterns.length > 0 && Object.keys(parent?.properties ?? {}).length === 0) {
    const rule = patterns.includes(NAME_PATTERN) ? 'use only letters, digits, ".", "_" and "-"' : `it must match ${patterns.join(' or ')}`
    const section = parentAt.length === 1 ? SECTION_NOUNS[String(parentAt[0])] : undefined
    const subject = section ? `${section} name "${key}"` : `${describe(parentAt)} key "${key}"`
    return { at, message: `${subject} is not valid: ${rule}`, unknownKey: true }
  }
  const guess = closest(key, Object.keys(parent?.properties ?? {}))
  const suggestion = guess ? ` (did you mean "${guess}"?)` : ''
  const fix = 'remove it or correct its spelling; custom fields must start with "x-"'
  if (parentAt.length === 0) return { at, message: `the file has an unknown top-level key "${key}"${suggestion}: ${fix}`, unknownKey: true }
  return { at, message: `${describe(parentAt)} has an unknown key "${key}"${suggestion}: ${fix}`, unknownKey: true }
}

/** `service "web"` for a service itself, otherwise the dotted path; "the file" for the root. */
function describe(at: PathSegment[]): string {
  if (at.length === 0) return 'the file'
  if (at.length === 2 && at[0] === 'services') return `service "${String(at[1])}"`
  return formatPath(at)
}

/** ajv's "/services/web/ports/0" as segments, with numbers only where the data is a list. */
function pathOf(instancePath: string, data: unknown): PathSegment[] {
  if (instancePath === '') return []
  const segments: PathSegment[] = []
  let node = data
  for (const raw of instancePath.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(node)) {
      segments.push(Number(key))
      node = node[Number(key)]
    } else {
      segments.push(key)
      node = isMapping(node) ? node[key] : undefined
    }
  }
  return segments
}

function resolve(node: SchemaNode, root: SchemaNode): SchemaNode {
  if (!node.$ref?.startsWith('#/')) return node
  let target: unknown = root
  for (const part of node.$ref.slice(2).split('/')) target = isMapping(target) ? target[part] : undefined
  return isMapping(target) ? resolve(target as SchemaNode, root) : node
}

function typesOf(node: SchemaNode, root: SchemaNode): string[] {
  if (node.type) return [node.type].flat()
  const alternatives = node.oneOf ?? node.anyOf ?? []
  return alternatives.flatMap((branch) => typesOf(resolve(branch, root), root))
}

function accepts(node: SchemaNode, value: unknown, root: SchemaNode): boolean {
  const types = typesOf(node, root)
  if (types.length === 0) return true
  return types.some((type) => {
    switch (type) {
      case 'null':
        return value === null
      case 'array':
        return Array.isArray(value)
      case 'object':
        return isMapping(value)
      case 'integer':
        return Number.isInteger(value)
      default:
        return typeof value === type
    }
  })
}

function joinTypes(types: string[]): string {
  if (types.length === 1 && types[0] === 'boolean') return 'true or false'
  const words = [...new Set(types.map((type) => TYPE_WORDS[type] ?? type))]
  return words.length <= 1 ? (words[0] ?? 'something else') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`
}

/** The known key within edit distance 2 of a misspelt one, if any. */
function closest(key: string, known: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase())
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance }
  }
  return best?.name
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}
