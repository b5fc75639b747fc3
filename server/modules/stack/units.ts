// Compose's value units: Go durations ("1m30s"), byte sizes ("512M", binary multiples as
// docker/go-units RAMInBytes does) and CPU counts ("0.5" → Docker NanoCpus).

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string }

const DURATION_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y

/**
 * A Go duration (what compose's healthcheck fields take) in milliseconds: "10s", "1m30s",
 * "1.5h", "500ms", "0". Sub-millisecond parts stay fractional. Negative durations are refused.
 */
export function parseDuration(text: string): Parsed<number> {
  const input = text.trim()
  const example = 'use a number and a unit, like "10s", "1m30s" or "500ms"'
  if (input === '0') return { ok: true, value: 0 }
  if (input === '') return { ok: false, reason: `an empty duration: ${example}` }
  if (input.startsWith('-')) return { ok: false, reason: `"${text}" is negative: ${example}` }
  const body = input.startsWith('+') ? input.slice(1) : input
  let total = 0
  DURATION_PART.lastIndex = 0
  while (DURATION_PART.lastIndex < body.length) {
    const match = DURATION_PART.exec(body)
    if (!match) return { ok: false, reason: `"${text}" is not a duration: ${example}` }
    total += Number(match[1]) * DURATION_UNIT_MS[match[2]]
  }
  return { ok: true, value: total }
}

const SIZE_MULTIPLIER: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }
const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp]?)(i?b?)$/i

/**
 * A byte size as compose reads memory limits: "512M", "1g", "1.5GB", "2048k", "100b",
 * "1KiB". Every unit is a binary multiple (k = 1024), with or without "b"/"ib", any case.
 * A bare number is bytes. Fractions are truncated to whole bytes, as Go's int64 cast does.
 */
export function parseByteSize(input: string | number): Parsed<number> {
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input >= 0) return { ok: true, value: input }
    return { ok: false, reason: `${input} is not a whole number of bytes: use a size like "512M" or "1g"` }
  }
  const match = SIZE.exec(input.trim())
  if (!match) return { ok: false, reason: `"${input}" is not a size: use a number and a unit (b, k, m, g), like "512M" or "1g"` }
  const value = Math.trunc(Number(match[1]) * SIZE_MULTIPLIER[match[2].toLowerCase()])
  return { ok: true, value }
}

/** `cpus: 0.5` or `cpus: "1.5"` → Docker NanoCpus (0.5 CPU = 500 000 000). Must be above 0. */
export function parseNanoCpus(input: string | number): Parsed<number> {
  const cpus = typeof input === 'number' ? input : input.trim() === '' ? Number.NaN : Number(input)
  if (!Number.isFinite(cpus) || cpus <= 0) {
    return { ok: false, reason: `"${input}" is not a CPU count: use a number above 0, like "0.5" or "2"` }
  }
  return { ok: true, value: Math.round(cpus * 1e9) }
}

/**
 * Splits a command string into words the way compose does (mattn/go-shellwords without
 * variable or backtick expansion): whitespace separates words; single quotes are literal;
 * double quotes allow \" \\ \$ and \` escapes; a backslash outside quotes escapes the next
 * character. An unterminated quote is an error. Shell operators (; | &&) are NOT special:
 * use ["sh", "-c", "…"] when you need a shell.
 */
export function splitShellWords(line: string): Parsed<string[]> {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quote === "'") {
      if (ch === "'") quote = null
      else word += ch
      continue
    }
    if (quote === '"') {
      if (ch === '"') quote = null
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) word += line[++i]
      else word += ch
      continue
    }
    if (ch === "'" || ch === '"') {
      quote = ch
      inWord = true
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i]
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote) return { ok: false, reason: `the command has an unterminated ${quote === '"' ? 'double' : 'single'} quote: close it, or write the command as a list` }
  if (inWord) words.push(word)
  return { ok: true, value: words }
}
