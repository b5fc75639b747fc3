// Structured logs: one JSON object per line (level, time, msg, then fields), info and below
// to stdout, warn and error to stderr, filtered by LOG_LEVEL. Never pass secret values in.
import { env } from '@/server/env'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** A logger that adds these fields to every line (e.g. { component: 'worker' }). */
  child(fields: LogFields): Logger
}

/** An Error as plain JSON: name, message, code and (for unexpected failures) the stack. */
export function errorFields(error: unknown, { stack = true }: { stack?: boolean } = {}): LogFields {
  if (!(error instanceof Error)) return { message: String(error) }
  const code = (error as { code?: unknown }).code
  return {
    name: error.name,
    message: error.message,
    ...(code !== undefined ? { code } : {}),
    ...(stack && error.stack ? { stack: error.stack } : {}),
  }
}

// JSON.stringify throws on bigint and on cycles; a log call must never throw.
function safeReplacer() {
  const seen = new WeakSet<object>()
  return (_key: string, value: unknown) => {
    if (typeof value === 'bigint') return value.toString()
    if (value instanceof Error) return errorFields(value)
    if (value && typeof value === 'object') {
      if (seen.has(value)) return '[circular]'
      seen.add(value)
    }
    return value
  }
}

type Sink = (level: LogLevel, line: string) => void

const processSink: Sink = (level, line) => {
  const stream = RANK[level] >= RANK.warn ? process.stderr : process.stdout
  stream.write(`${line}\n`)
}

export function createLogger(options: { level?: () => LogLevel; base?: LogFields; sink?: Sink } = {}): Logger {
  // The level is read on each call (not at import) so importing this file reads no config.
  const level = options.level ?? (() => env().LOG_LEVEL)
  const base = options.base ?? {}
  const sink = options.sink ?? processSink
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < RANK[level()]) return
    const record = { level: lvl, time: new Date().toISOString(), msg, ...base, ...fields }
    sink(lvl, JSON.stringify(record, safeReplacer()))
  }
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger({ level, base: { ...base, ...fields }, sink }),
  }
}

export const logger: Logger = createLogger()
