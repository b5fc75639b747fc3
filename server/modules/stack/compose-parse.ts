// Parses compose YAML into plain data, reporting syntax errors with line and column, and
// keeps the YAML document so later errors can be pinned to the line they are about.
import { isNode, LineCounter, parseDocument, type Document } from 'yaml'
import type { PathSegment } from './stack-issue'
import type { StackError } from './stack.types'

export type Position = { line: number; column: number }

export type ParsedCompose =
  | { ok: true; data: unknown; locate: (at: readonly PathSegment[]) => Position | undefined }
  | { ok: false; errors: StackError[] }

/**
 * YAML 1.2 (the `yaml` package's core schema, close to what compose's go-yaml v3 reads),
 * with `<<` merge keys enabled because compose files use them with x- anchors. Duplicate
 * keys and multiple documents are errors. Aliases are capped so a crafted file cannot
 * expand without bound.
 */
export function parseComposeYaml(text: string): ParsedCompose {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false })
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0])
        return { line, column: col, message: `YAML syntax error at line ${line}, column ${col}: ${error.message}: fix the file and load it again` }
      }),
    }
  }
  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return { ok: false, errors: [{ message: `the YAML could not be read: ${reason}` }] }
  }
  return { ok: true, data, locate: (at) => locate(doc, lineCounter, at) }
}

/** Position of the deepest node along `at` that exists in the YAML (keys may be interpolated). */
function locate(doc: Document, lineCounter: LineCounter, at: readonly PathSegment[]): Position | undefined {
  for (let depth = at.length; depth > 0; depth--) {
    const node: unknown = doc.getIn(at.slice(0, depth), true)
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0])
      return { line, column: col }
    }
  }
  return undefined
}
