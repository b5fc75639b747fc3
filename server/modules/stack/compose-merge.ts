// Merges compose files the way `docker compose -f a.yml -f b.yml` does, following the compose
// specification's "Merge and override" rules (and compose-go where the text is silent).
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml'
import { formatPath, isMapping, type PathSegment } from './stack-issue'

/*
 * Rules, per the compose spec "Merge and override" section (compose-spec/spec.md, published
 * as docs.docker.com/reference/compose-file/merge/), with compose-go's override/merge.go and
 * override/uncity.go as the reference implementation:
 *
 * 1. Mapping: keys missing from the earlier file are added, keys in both are merged (recursively).
 * 2. Sequence: the later file's items are appended; an item deep-equal to one already present is
 *    not added twice (compose-go `appendWithoutDuplicates`).
 * 3. Scalars: the later file wins. A null in the later file keeps the earlier value (compose-go).
 * 4. Shell commands: `command`, `entrypoint` and `healthcheck.test` are replaced, not appended.
 * 5. Unique resources: `ports` by {host ip, published, target, protocol}; `volumes` by target;
 *    `secrets` by target (default /run/secrets/<source>). An entry sharing a key with an earlier
 *    one replaces it in place; others are appended.
 * 6. Key/value lists (`environment`, `labels`, `deploy.labels`, and `labels` of networks,
 *    volumes and secrets): merged by key whether written as a mapping or as KEY=VALUE items; the
 *    later file wins per key, and a bare KEY (take it from the variables) also replaces.
 * 7. `depends_on` and service `networks`: list and mapping forms are merged as mappings (a list
 *    item is {condition: service_started} / no options); two lists stay a list (union).
 * 8. Sets: `cap_add`, `cap_drop`, `security_opt`, `dns`, `dns_opt`, `dns_search`, `expose`,
 *    `profiles` are unions. `tmpfs` (string or list) is a union keyed by mount path, so a later
 *    "/tmp:size=64m" replaces an earlier "/tmp" — compose-go keys it by the text before "=",
 *    which keeps both; a path can only be mounted once, so this engine keys by the path.
 * 9. `!reset` on a mapping value removes that key from the result; `!override` replaces the
 *    earlier value wholesale, bypassing rules 1–8. Both are refused on list items or the root.
 *
 * Merging happens before interpolation, as it must for a template that keeps its ${VARIABLES}:
 * unique keys are read from the text as written ("${PORT:-80}:80" is one key), and ":" inside
 * ${…} is not a separator. Keys outside the engine's subset merge by rules 1–3 and are then
 * refused by loadStack as usual.
 */

const RESET = Symbol('compose !reset')

class OverrideValue {
  constructor(readonly value: unknown) {}
}

export type ComposeLayer = { name: string; data: Record<string, unknown> }

export type ComposeMergeError = { file: string; path?: string; line?: number; column?: number; message: string }

export type ComposeLayerResult = { ok: true; layer: ComposeLayer } | { ok: false; errors: ComposeMergeError[] }

export type ComposeMergeResult = { ok: true; document: Record<string, unknown> } | { ok: false; errors: ComposeMergeError[] }

const MERGE_TAGS = new Set(['!reset', '!override'])

/**
 * Parses one compose file for merging: the same YAML reading as loadStack (YAML 1.2, `<<`
 * merge keys, unique keys, bounded aliases), keeping `!reset` / `!override` as markers.
 */
export function parseComposeLayer(name: string, text: string): ComposeLayerResult {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false })
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => ({ file: name, ...at(error.pos[0]), message: `${name}: YAML syntax error: ${error.message}: fix the file` })),
    }
  }
  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    return { ok: false, errors: [{ file: name, message: `${name}: the YAML could not be read: ${error instanceof Error ? error.message : String(error)}` }] }
  }
  if (!isMapping(data)) {
    return { ok: false, errors: [{ file: name, message: `${name}: a compose file must be a mapping (with "services:" and the other top-level sections)` }] }
  }
  const tagged: Array<{ at: PathSegment[]; tag: string; offset: number }> = []
  collectMergeTags(doc.contents, [], tagged)
  const errors: ComposeMergeError[] = []
  for (const { at: path, tag, offset } of tagged) {
    const parent = valueAt(data, path.slice(0, -1))
    const key = path[path.length - 1]
    if (typeof key !== 'string' || !isMapping(parent)) {
      const where = path.length === 0 ? 'the whole file' : `list item ${formatPath(path)}`
      errors.push({ file: name, path: formatPath(path), ...at(offset), message: `${name}: ${tag} on ${where} is not supported: put it on a mapping value, like "ports: ${tag} []"` })
      continue
    }
    parent[key] = tag === '!reset' ? RESET : new OverrideValue(parent[key])
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, layer: { name, data } }
}

/** Where the YAML tags `!reset` / `!override` are, as paths into the data. Merge keys (`<<`) are skipped. */
function collectMergeTags(node: YamlNode | null | undefined, at: PathSegment[], out: Array<{ at: PathSegment[]; tag: string; offset: number }>) {
  if (!node || isAlias(node)) return
  if (node.tag && MERGE_TAGS.has(node.tag)) out.push({ at, tag: node.tag, offset: node.range?.[0] ?? 0 })
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
      if (key === '<<') continue
      collectMergeTags(pair.value as YamlNode | null, [...at, key], out)
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => collectMergeTags(item as YamlNode | null, [...at, index], out))
  }
}

function valueAt(data: unknown, at: PathSegment[]): unknown {
  let value = data
  for (const segment of at) {
    if (typeof segment === 'number') value = Array.isArray(value) ? value[segment] : undefined
    else value = isMapping(value) ? value[segment] : undefined
  }
  return value
}

/** Parses and merges compose files in order; later files override earlier ones. */
export function mergeComposeFiles(files: Array<{ name: string; text: string }>): ComposeMergeResult {
  const layers: ComposeLayer[] = []
  const errors: ComposeMergeError[] = []
  for (const file of files) {
    const parsed = parseComposeLayer(file.name, file.text)
    if (parsed.ok) layers.push(parsed.layer)
    else errors.push(...parsed.errors)
  }
  return errors.length > 0 ? { ok: false, errors } : mergeComposeLayers(layers)
}

/** Merges parsed layers in order. Inputs are not modified. */
export function mergeComposeLayers(layers: ComposeLayer[]): ComposeMergeResult {
  if (layers.length === 0) return { ok: false, errors: [{ file: '', message: 'no compose files to merge: name at least one' }] }
  const errors: ComposeMergeError[] = []
  let merged = plain(layers[0].data) as Record<string, unknown>
  for (const layer of layers.slice(1)) {
    merged = mergeValue(merged, layer.data, [], { file: layer.name, errors }) as Record<string, unknown>
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, document: merged }
}

type MergeContext = { file: string; errors: ComposeMergeError[] }
type Rule = (base: unknown, over: unknown, at: PathSegment[], context: MergeContext) => unknown

function mergeValue(base: unknown, over: unknown, at: PathSegment[], context: MergeContext): unknown {
  if (over instanceof OverrideValue) return plain(over.value)
  const rule = ruleFor(at)
  if (rule) return rule(base, over, at, context)
  if (over === null || over === undefined) return base
  if (base === null || base === undefined) return plain(over)
  if (isMapping(base) && isMapping(over)) return mergeMappings(base, over, at, context)
  if (Array.isArray(base) && Array.isArray(over)) return appendWithoutDuplicates(base, plain(over) as unknown[])
  if (isCollection(base) || isCollection(over)) return mismatch(base, over, at, context)
  return over
}

function mergeMappings(base: Record<string, unknown>, over: Record<string, unknown>, at: PathSegment[], context: MergeContext): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    if (value === RESET) delete out[key]
    else out[key] = key in out ? mergeValue(out[key], value, [...at, key], context) : plain(value)
  }
  return out
}

const replace: Rule = (_base, over) => plain(over)

const RULES: Array<[pattern: string[], rule: Rule]> = [
  [['services', '*', 'command'], replace],
  [['services', '*', 'entrypoint'], replace],
  [['services', '*', 'healthcheck', 'test'], replace],
  [['services', '*', 'ports'], mergeUniqueBy(portKey)],
  [['services', '*', 'volumes'], mergeUniqueBy(volumeTarget)],
  [['services', '*', 'secrets'], mergeUniqueBy(secretTarget)],
  [['services', '*', 'tmpfs'], mergeUniqueBy(tmpfsPath)],
  [['services', '*', 'environment'], mergeKeyValues],
  [['services', '*', 'labels'], mergeKeyValues],
  [['services', '*', 'deploy', 'labels'], mergeKeyValues],
  [['networks', '*', 'labels'], mergeKeyValues],
  [['volumes', '*', 'labels'], mergeKeyValues],
  [['secrets', '*', 'labels'], mergeKeyValues],
  [['services', '*', 'depends_on'], mergeAsMapping({ condition: 'service_started' })],
  [['services', '*', 'networks'], mergeAsMapping(null)],
  ...['cap_add', 'cap_drop', 'security_opt', 'dns', 'dns_opt', 'dns_search', 'expose', 'profiles'].map(
    (key): [string[], Rule] => [['services', '*', key], mergeUniqueBy((item) => canonical(item))],
  ),
]

function ruleFor(at: PathSegment[]): Rule | undefined {
  return RULES.find(([pattern]) => pattern.length === at.length && pattern.every((p, i) => (p === '*' ? typeof at[i] === 'string' : p === at[i])))?.[1]
}

/** Rule 5 and 8: a list where each item has a key; a later item with a known key replaces the earlier one in place. */
function mergeUniqueBy(keyOf: (item: unknown) => string): Rule {
  return (base, over, at, context) => {
    if (over === null || over === undefined) return base
    const baseList = asList(base)
    const overList = asList(over)
    if (!baseList || !overList) return mismatch(base, over, at, context)
    const out: unknown[] = []
    const index = new Map<string, number>()
    for (const item of [...baseList, ...(plain(overList) as unknown[])]) {
      const key = keyOf(item)
      const seen = index.get(key)
      if (seen === undefined) {
        index.set(key, out.length)
        out.push(item)
      } else {
        out[seen] = item
      }
    }
    return out
  }
}

/** `tmpfs: /tmp` is the one-item list `[/tmp]`; absent is empty. */
function asList(value: unknown): unknown[] | undefined {
  if (value === null || value === undefined) return []
  if (Array.isArray(value)) return value
  return typeof value === 'string' ? [value] : undefined
}

/** Rule 6. Mapping form wins when either side uses it; two lists stay a list. */
function mergeKeyValues(base: unknown, over: unknown, at: PathSegment[], context: MergeContext): unknown {
  if (over === null || over === undefined) return base
  const baseEntries = keyValueEntries(base)
  const overEntries = keyValueEntries(over)
  if (!baseEntries || !overEntries) return mismatch(base, over, at, context)
  const merged = new Map<string, unknown>([...baseEntries, ...overEntries])
  // `KEY: !reset` in a mapping removes the key (plain() already left it out of overEntries).
  if (isMapping(over)) for (const [key, value] of Object.entries(over)) if (value === RESET) merged.delete(key)
  if (Array.isArray(base) && Array.isArray(over)) {
    return [...merged].map(([key, value]) => (value === null ? key : `${key}=${String(value)}`))
  }
  return Object.fromEntries(merged)
}

function keyValueEntries(value: unknown): Array<[string, unknown]> | undefined {
  if (value === null || value === undefined) return []
  if (isMapping(value)) return Object.entries(plain(value) as Record<string, unknown>)
  if (!Array.isArray(value)) return undefined
  return value.map((item) => {
    const text = String(item)
    const eq = text.indexOf('=')
    return eq < 0 ? [text, null] : [text.slice(0, eq), text.slice(eq + 1)]
  })
}

/** Rule 7: list items become mapping keys with `itemValue` (a copy each); two lists stay a union list. */
function mergeAsMapping(itemValue: Record<string, unknown> | null): Rule {
  return (base, over, at, context) => {
    if (over === null || over === undefined) return base
    if (Array.isArray(base) && Array.isArray(over)) return appendWithoutDuplicates(base, plain(over) as unknown[])
    const toMapping = (value: unknown): Record<string, unknown> | undefined => {
      if (value === null || value === undefined) return {}
      if (isMapping(value)) return value
      if (!Array.isArray(value)) return undefined
      return Object.fromEntries(value.map((item) => [String(item), itemValue === null ? null : { ...itemValue }]))
    }
    const baseMap = toMapping(base)
    const overMap = toMapping(over)
    if (!baseMap || !overMap) return mismatch(base, over, at, context)
    return mergeMappings(plain(baseMap) as Record<string, unknown>, overMap, at, context)
  }
}

function appendWithoutDuplicates(base: unknown[], over: unknown[]): unknown[] {
  const out = [...base]
  const seen = new Set(base.map(canonical))
  for (const item of over) {
    const key = canonical(item)
    if (!seen.has(key)) {
      seen.add(key)
      out.push(item)
    }
  }
  return out
}

function mismatch(base: unknown, over: unknown, at: PathSegment[], context: MergeContext): unknown {
  context.errors.push({
    file: context.file,
    path: formatPath(at),
    message: `${context.file}: ${formatPath(at)} is ${shape(over)} here but ${shape(base)} in the files before it: write it in the same form, or tag it "!override" to replace the earlier value`,
  })
  return base
}

function shape(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (isMapping(value)) return 'a mapping'
  return `a ${typeof value}`
}

function isCollection(value: unknown): boolean {
  return Array.isArray(value) || isMapping(value)
}

/** Deep copy without merge markers: `!reset` keys dropped, `!override` values unwrapped. */
function plain(value: unknown): unknown {
  if (value instanceof OverrideValue) return plain(value.value)
  if (Array.isArray(value)) return value.map(plain)
  if (isMapping(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) if (item !== RESET) out[key] = plain(item)
    return out
  }
  return value
}

/** Key-order-independent text of a value, for deep equality. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (isMapping(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'undefined'
}

/** Splits on `separator` outside `${…}` (nested), so "${DIR:-/opt/x}/a:/a" splits in two. `$$` is a literal `$`. */
export function splitOutsideVariables(text: string, separator: string): string[] {
  const parts: string[] = []
  let current = ''
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '$' && text[i + 1] === '$') {
      current += '$$'
      i++
    } else if (ch === '$' && text[i + 1] === '{') {
      depth++
      current += '${'
      i++
    } else if (ch === '}' && depth > 0) {
      depth--
      current += ch
    } else if (ch === separator && depth === 0) {
      parts.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  parts.push(current)
  return parts
}

/** {host ip, published, target, protocol}; "0.0.0.0" and no address are the same. */
export function portKey(entry: unknown): string {
  const key = (ip: unknown, published: unknown, target: unknown, protocol: unknown) => {
    const address = ip === undefined || ip === null || ip === '' || ip === '0.0.0.0' ? '' : String(ip)
    return [address, published ?? '', target ?? '', String(protocol ?? 'tcp').toLowerCase()].map(String).join('|')
  }
  if (isMapping(entry)) return key(entry.host_ip, entry.published, entry.target, entry.protocol)
  if (typeof entry === 'number') return key(undefined, undefined, entry, undefined)
  if (typeof entry !== 'string') return canonical(entry)
  let rest = entry.trim()
  let protocol = 'tcp'
  const slashParts = splitOutsideVariables(rest, '/')
  if (slashParts.length === 2) [rest, protocol] = slashParts
  let ip: string | undefined
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']:')
    if (close > 0) {
      ip = rest.slice(1, close)
      rest = rest.slice(close + 2)
    }
  }
  const parts = splitOutsideVariables(rest, ':')
  if (parts.length === 3) ip = parts.shift()
  const target = parts[parts.length - 1]
  const published = parts.length === 2 ? parts[0] : undefined
  return key(ip, published === '' ? undefined : published, target, protocol)
}

/** A service volume's target: the long syntax's `target`, or the second part of "source:target[:mode]". */
export function volumeTarget(entry: unknown): string {
  if (isMapping(entry)) return String(entry.target ?? canonical(entry))
  if (typeof entry !== 'string') return canonical(entry)
  const parts = splitOutsideVariables(entry, ':')
  return parts.length === 1 ? parts[0] : parts[1]
}

/** A service secret's target: /run/secrets/<source> unless `target` says otherwise. */
export function secretTarget(entry: unknown): string {
  if (typeof entry === 'string') return `/run/secrets/${entry}`
  if (!isMapping(entry)) return canonical(entry)
  const target = typeof entry.target === 'string' ? entry.target : String(entry.source)
  return target.startsWith('/') ? target : `/run/secrets/${target}`
}

/** A tmpfs entry's mount path: "/run:size=64m,mode=1777" → "/run". */
export function tmpfsPath(entry: unknown): string {
  return typeof entry === 'string' ? entry.split(':')[0] : canonical(entry)
}
