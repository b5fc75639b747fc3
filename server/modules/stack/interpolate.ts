// Compose variable interpolation ($VAR, ${VAR:-default}, ${VAR:?error}, $$ …), applied to
// the parsed YAML before schema validation, with compose's type casts for known fields.
import { formatPath, isMapping, type PathSegment, type StackIssue } from './stack-issue'

export type Variables = Readonly<Record<string, string>>

export type SubstitutionProblem =
  | { kind: 'missing'; name: string }
  | { kind: 'required'; name: string; isSet: boolean; hint: string }
  | { kind: 'invalid'; expression: string }

export type Substitution = { value: string; used: Set<string>; problems: SubstitutionProblem[] }

const NAME_START = /[_a-zA-Z]/
const NAME_CHARS = /[_a-zA-Z0-9]*/y
const BRACED = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[-?+])([\s\S]*))?$/

/**
 * Expands one string. Follows the compose-go template rules: `$$` is a literal `$`; `$NAME`
 * and `${NAME}`; `:-` `-` (default), `:?` `?` (required), `:+` `+` (alternative); the colon
 * forms also treat an empty value as unset. Operands may nest (`${A:-${B:-x}}`, supported by
 * docker compose since v2.2) and are only evaluated when chosen, so a default's own variables
 * are "used" but never "missing" when the outer variable is set. A `$` not followed by a name,
 * `{` or `$` is kept as is; a malformed `${…}` is a problem.
 */
export function substituteVariables(template: string, variables: Variables): Substitution {
  const result: Substitution = { value: '', used: new Set(), problems: [] }
  result.value = expand(template, variables, result, true)
  return result
}

function expand(text: string, vars: Variables, out: Substitution, evaluate: boolean): string {
  let value = ''
  let i = 0
  while (i < text.length) {
    const ch = text[i]
    const next = text[i + 1]
    if (ch !== '$') {
      value += ch
      i++
    } else if (next === '$') {
      value += '$'
      i += 2
    } else if (next !== undefined && NAME_START.test(next)) {
      NAME_CHARS.lastIndex = i + 2
      const name = next + (NAME_CHARS.exec(text)?.[0] ?? '')
      out.used.add(name)
      if (evaluate) value += lookup(name, vars, out)
      i += 1 + name.length
    } else if (next === '{') {
      const close = closingBrace(text, i)
      const expression = close < 0 ? text.slice(i) : text.slice(i, close + 1)
      const match = close < 0 ? null : BRACED.exec(text.slice(i + 2, close))
      if (!match) {
        if (evaluate) out.problems.push({ kind: 'invalid', expression })
        value += expression
      } else {
        out.used.add(match[1])
        const resolved = resolveBraced(match[1], match[2], match[3] ?? '', vars, out, evaluate)
        if (evaluate) value += resolved
      }
      i += expression.length
    } else {
      value += '$'
      i++
    }
  }
  return value
}

function lookup(name: string, vars: Variables, out: Substitution): string {
  const value = vars[name]
  if (value === undefined) out.problems.push({ kind: 'missing', name })
  return value ?? ''
}

function resolveBraced(name: string, op: string | undefined, operand: string, vars: Variables, out: Substitution, evaluate: boolean): string {
  if (!evaluate || op === undefined) {
    if (op !== undefined) expand(operand, vars, out, false)
    return evaluate ? lookup(name, vars, out) : ''
  }
  const value = vars[name]
  const absent = op.startsWith(':') ? value === undefined || value === '' : value === undefined
  const branch = (chosen: boolean) => (chosen ? expand(operand, vars, out, true) : (expand(operand, vars, out, false), ''))
  switch (op) {
    case ':-':
    case '-':
      return absent ? branch(true) : (branch(false), value ?? '')
    case ':?':
    case '?':
      if (absent) out.problems.push({ kind: 'required', name, isSet: value !== undefined, hint: branch(true) })
      else branch(false)
      return value ?? ''
    default: // ':+' and '+'
      return branch(!absent)
  }
}

/** Index of the `}` closing the `${` at `start`, counting nested `${` as compose-go does. */
function closingBrace(text: string, start: number): number {
  let open = 0
  for (let j = start; j < text.length; j++) {
    if (text.startsWith('${', j)) {
      open++
      j++
    } else if (text[j] === '}' && --open === 0) {
      return j
    }
  }
  return -1
}

export type InterpolationResult = {
  value: unknown
  /** Every variable name the file references, sorted (including unevaluated defaults). */
  variablesUsed: string[]
  /** Variables that are unset (or empty, for `:?`) where the file gives no default. */
  variablesMissing: string[]
  issues: StackIssue[]
  /** Where interpolation failed: schema errors at or under these paths are noise. */
  failedPaths: PathSegment[][]
}

// Compose-go casts these fields after interpolation, so `published: ${PORT}` is a number.
const CASTS: Array<[pattern: string[], cast: (text: string) => unknown]> = [
  [['services', '*', 'ports', '[]', 'target'], toInteger],
  [['services', '*', 'ports', '[]', 'published'], toInteger],
  [['services', '*', 'healthcheck', 'retries'], toInteger],
  [['services', '*', 'healthcheck', 'disable'], toBoolean],
  [['services', '*', 'read_only'], toBoolean],
  [['services', '*', 'privileged'], toBoolean],
  [['services', '*', 'volumes', '[]', 'read_only'], toBoolean],
  [['networks', '*', 'external'], toBoolean],
  [['networks', '*', 'internal'], toBoolean],
  [['volumes', '*', 'external'], toBoolean],
]

function toInteger(text: string): unknown {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : text
}

function toBoolean(text: string): unknown {
  const lower = text.trim().toLowerCase()
  if (['y', 'yes', 'true', 'on'].includes(lower)) return true
  if (['n', 'no', 'false', 'off'].includes(lower)) return false
  return text
}

function castFor(at: PathSegment[]): ((text: string) => unknown) | undefined {
  const found = CASTS.find(
    ([pattern]) =>
      pattern.length === at.length &&
      pattern.every((p, k) => (p === '[]' ? typeof at[k] === 'number' : p === '*' ? typeof at[k] === 'string' : p === at[k])),
  )
  return found?.[1]
}

function isEnvironmentMapping(at: PathSegment[]): boolean {
  return at.length === 3 && at[0] === 'services' && at[2] === 'environment'
}

/**
 * Interpolates every string in the parsed compose document, values and — as this engine
 * chooses, going beyond compose — keys of `services.*.environment` mappings. `x-*` fields
 * are interpolated too (compose does), so a missing variable there is still an error.
 */
export function interpolateCompose(document: unknown, variables: Variables): InterpolationResult {
  const used = new Set<string>()
  const missing = new Set<string>()
  const issues: StackIssue[] = []
  const failedPaths: PathSegment[][] = []

  const expandAt = (text: string, at: PathSegment[]): string => {
    if (!text.includes('$')) return text
    const result = substituteVariables(text, variables)
    result.used.forEach((name) => used.add(name))
    for (const problem of result.problems) {
      issues.push({ at, message: describeProblem(problem, formatPath(at)) })
      if (problem.kind !== 'invalid') missing.add(problem.name)
    }
    if (result.problems.length > 0) failedPaths.push(at)
    return result.value
  }

  const walk = (value: unknown, at: PathSegment[]): unknown => {
    if (typeof value === 'string') {
      const expanded = expandAt(value, at)
      const cast = castFor(at)
      return cast ? cast(expanded) : expanded
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...at, index]))
    if (isMapping(value)) {
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value)) {
        const newKey = isEnvironmentMapping(at) ? expandAt(key, [...at, key]) : key
        out[newKey] = walk(item, [...at, newKey])
      }
      return out
    }
    return value
  }

  const value = walk(document, [])
  return { value, variablesUsed: [...used].sort(), variablesMissing: [...missing].sort(), issues, failedPaths }
}

function describeProblem(problem: SubstitutionProblem, where: string): string {
  switch (problem.kind) {
    case 'missing':
      return `variable "${problem.name}" (used in ${where}) is not set: set it for this release, or give a default with \${${problem.name}:-default}`
    case 'required': {
      const state = problem.isSet ? 'is empty' : 'is not set'
      const hint = problem.hint.trim() === '' ? 'set it for this release' : problem.hint
      return `required variable "${problem.name}" (used in ${where}) ${state}: ${hint}`
    }
    case 'invalid':
      return `${where} has an invalid variable reference "${problem.expression}": write \${NAME}, \${NAME:-default} or \${NAME:?message}, or "$$" for a literal "$"`
  }
}
