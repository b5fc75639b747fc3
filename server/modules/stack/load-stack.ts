// The one entry point: compose YAML + per-release variables → a normalised StackSpec, or
// every problem found (syntax, variables, unsupported keys, schema, references, cycles).
import { parseComposeYaml } from './compose-parse'
import { validateComposeSchema } from './compose-schema'
import { interpolateCompose } from './interpolate'
import { normaliseStack } from './normalise-stack'
import { describeType, formatPath, isMapping, serviceOf, type PathSegment, type StackIssue } from './stack-issue'
import type { LoadStackResult, StackError } from './stack.types'
import { findUnsupportedKeys } from './supported-subset'

/**
 * Parses, interpolates, checks and normalises a compose file. Errors are collected across
 * stages rather than stopping at the first, except that a YAML syntax error ends the load.
 * Knock-on errors are dropped: schema errors under a failed interpolation or under a key
 * that is refused anyway, "unsupported" for keys the schema already calls unknown, and
 * normaliser errors that only echo a schema or interpolation error at the same field.
 */
export function loadStack(yamlText: string, variables: Record<string, string>): LoadStackResult {
  const parsed = parseComposeYaml(yamlText)
  if (!parsed.ok) return parsed
  if (!isMapping(parsed.data)) {
    const got = parsed.data === null || parsed.data === undefined ? 'the file is empty' : `got ${describeType(parsed.data)}`
    return { ok: false, errors: [{ message: `a compose file must be a mapping with a "services:" section (${got})` }] }
  }

  const interpolated = interpolateCompose(parsed.data, variables)
  const document = interpolated.value as Record<string, unknown>
  const failed = interpolated.failedPaths
  const unsupported = findUnsupportedKeys(document)
  const schema = validateComposeSchema(document)

  const unknownKeys = schema.filter((issue) => issue.unknownKey)
  const keptUnsupported = unsupported.filter((issue) => !unknownKeys.some((unknown) => samePath(unknown.at, issue.at)))
  const keptSchema = schema.filter(
    (issue) =>
      !failed.some((path) => isUnder(issue.at, path)) &&
      (issue.unknownKey || !keptUnsupported.some((refused) => isUnder(issue.at, refused.at))),
  )
  const normalised = normaliseStack({ document, variables })
  const echoes = [...failed, ...schema.map((issue) => issue.at)]
  const keptNormalised = normalised.issues.filter((issue) => !echoes.some((path) => isRelated(issue.at, path)))

  const issues = [...interpolated.issues, ...keptUnsupported, ...keptSchema, ...keptNormalised]
  if (issues.length > 0 || !normalised.spec) {
    // Every path that withholds the spec records an issue; the fallback only guards against a silent failure.
    const errors = issues.length > 0 ? issues.map((issue) => toStackError(issue, parsed.locate)) : [{ message: 'the stack could not be loaded: check the file against the compose subset' }]
    return { ok: false, errors: sortByPosition(errors) }
  }
  const variablesUsed = [...new Set([...interpolated.variablesUsed, ...normalised.passThroughVariables])].sort()
  return { ok: true, spec: normalised.spec, variablesUsed }
}

function toStackError(issue: StackIssue, locate: (at: readonly PathSegment[]) => { line: number; column: number } | undefined): StackError {
  const position = locate(issue.at)
  const service = serviceOf(issue.at)
  return {
    ...(issue.at.length > 0 && { path: formatPath(issue.at) }),
    ...(service !== undefined && { service }),
    ...(position && { line: position.line, column: position.column }),
    message: issue.message,
  }
}

/** Top to bottom through the file; errors without a position keep their order at the end. */
function sortByPosition(errors: StackError[]): StackError[] {
  return errors
    .map((error, index) => ({ error, index }))
    .sort((a, b) => (a.error.line ?? Infinity) - (b.error.line ?? Infinity) || (a.error.column ?? 0) - (b.error.column ?? 0) || a.index - b.index)
    .map(({ error }) => error)
}

/** `at` is at or under `path`, or a field-level ancestor of it (services.web.ports for services.web.ports[0]). */
function isRelated(at: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return isUnder(at, path) || (at.length > 2 && isUnder(path, at))
}

function isUnder(at: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= at.length && prefix.every((segment, i) => at[i] === segment)
}

function samePath(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.length === b.length && isUnder(a, b)
}
