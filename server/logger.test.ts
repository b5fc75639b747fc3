// The JSON-lines logger: level filtering, the shape of a line, and values that would make
// JSON.stringify throw (bigint, cycles) or lose information (Error).
import { describe, expect, it } from 'vitest'
import { createLogger, errorFields, type LogLevel } from './logger'

function capture(level: LogLevel) {
  const lines: Array<{ level: LogLevel; record: Record<string, unknown> }> = []
  const log = createLogger({ level: () => level, sink: (lvl, line) => lines.push({ level: lvl, record: JSON.parse(line) }) })
  return { log, lines }
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, time, msg and fields', () => {
    const { log, lines } = capture('info')
    log.info('Worker started', { concurrency: 2 })
    expect(lines).toHaveLength(1)
    expect(lines[0].record).toEqual({ level: 'info', time: expect.any(String), msg: 'Worker started', concurrency: 2 })
    expect(new Date(lines[0].record.time as string).toISOString()).toBe(lines[0].record.time)
  })

  it('drops lines below the configured level', () => {
    const { log, lines } = capture('warn')
    log.debug('d')
    log.info('i')
    log.warn('w')
    log.error('e')
    expect(lines.map((l) => l.record.msg)).toEqual(['w', 'e'])
  })

  it('adds child fields to every line and lets call fields win', () => {
    const { log, lines } = capture('debug')
    const child = log.child({ component: 'worker', queue: 'a' })
    child.debug('x', { queue: 'b' })
    expect(lines[0].record).toMatchObject({ component: 'worker', queue: 'b', msg: 'x' })
  })

  it('never throws on bigint, cycles or errors', () => {
    const { log, lines } = capture('debug')
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = cyclic
    const error = Object.assign(new Error('boom'), { code: 'ECONNREFUSED' })
    log.error('odd values', { memoryBytes: 34_359_738_368n, cyclic, err: error })
    expect(lines[0].record).toMatchObject({
      memoryBytes: '34359738368',
      cyclic: { name: 'loop', self: '[circular]' },
      err: { name: 'Error', message: 'boom', code: 'ECONNREFUSED', stack: expect.stringContaining('boom') },
    })
  })
})

describe('errorFields', () => {
  it('leaves the stack out when asked, and copes with non-errors', () => {
    expect(errorFields(new TypeError('bad'), { stack: false })).toEqual({ name: 'TypeError', message: 'bad' })
    expect(errorFields('plain text')).toEqual({ message: 'plain text' })
  })
})
