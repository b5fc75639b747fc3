// Problems found while loading a stack, addressed by path segments inside the compose
// document; load-stack turns them into StackErrors with a printable path and a position.

export type PathSegment = string | number
export type StackIssue = {
  at: PathSegment[]
  message: string
  /** Set on schema issues about a key compose does not know (so likely a typo). */
  unknownKey?: true
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** ["services","web","ports",0] → "services.web.ports[0]"; odd keys are quoted: labels["com.x"]. */
export function formatPath(at: readonly PathSegment[]): string {
  let out = ''
  for (const segment of at) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}

/** The service an issue is about, when its path is under services.<name>. */
export function serviceOf(at: readonly PathSegment[]): string | undefined {
  return at[0] === 'services' && typeof at[1] === 'string' ? at[1] : undefined
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** "a string", "a list", "a mapping" … for messages about what a value was. */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'boolean') return `${value}`
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number'
  return `a ${typeof value}`
}
