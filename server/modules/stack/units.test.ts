// Unit tests for compose value units: durations, byte sizes, CPU counts and command splitting.
import { describe, expect, it } from 'vitest'
import { parseByteSize, parseDuration, parseNanoCpus, splitShellWords } from './units'

describe('parseDuration (Go durations, in ms)', () => {
  it.each([
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['0', 0],
    ['0s', 0],
    ['+5s', 5_000],
    ['.5s', 500],
    ['1500us', 1.5],
    ['250µs', 0.25],
    ['1000000ns', 1],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms })
  })

  it.each(['', '10', '10 s', '1d', '5sec', 'm', '-5s', '1m 30s', 'ten seconds'])('refuses %j', (text) => {
    const result = parseDuration(text)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toMatch(/10s|negative/)
  })
})

describe('parseByteSize (binary multiples, as docker/go-units RAMInBytes)', () => {
  it.each([
    ['512M', 512 * 1024 ** 2],
    ['512m', 512 * 1024 ** 2],
    ['512MB', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1G', 1024 ** 3],
    ['1.5GB', 1.5 * 1024 ** 3],
    ['1.5gb', 1.5 * 1024 ** 3],
    ['2048k', 2048 * 1024],
    ['2048kb', 2048 * 1024],
    ['1KiB', 1024],
    ['100b', 100],
    ['100', 100],
    ['64 M', 64 * 1024 ** 2],
    ['1t', 1024 ** 4],
    ['0.5k', 512],
    ['1.1k', 1126],
  ] as const)('%s → %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toEqual({ ok: true, value: bytes })
  })

  it('takes a whole number as bytes', () => {
    expect(parseByteSize(536870912)).toEqual({ ok: true, value: 536870912 })
  })

  it.each(['', 'M', '512X', '-1g', '1,5g', 'lots', '512 MBs'])('refuses %j', (text) => {
    expect(parseByteSize(text).ok).toBe(false)
  })

  it('refuses a negative or fractional number of bytes', () => {
    expect(parseByteSize(-1).ok).toBe(false)
    expect(parseByteSize(1.5).ok).toBe(false)
  })
})

describe('parseNanoCpus', () => {
  it.each([
    ['0.5', 500_000_000],
    [0.5, 500_000_000],
    ['2', 2_000_000_000],
    [1.25, 1_250_000_000],
    ['0.001', 1_000_000],
  ] as const)('%j → %d', (input, nano) => {
    expect(parseNanoCpus(input)).toEqual({ ok: true, value: nano })
  })

  it.each(['0', 0, '-1', 'half', ''])('refuses %j', (input) => {
    expect(parseNanoCpus(input).ok).toBe(false)
  })
})

describe('splitShellWords (compose command strings)', () => {
  it.each([
    ['npm start', ['npm', 'start']],
    ['  spaced   out\targs ', ['spaced', 'out', 'args']],
    [`sh -c 'echo "hi there" && exit 0'`, ['sh', '-c', 'echo "hi there" && exit 0']],
    [`echo "a \\"quoted\\" word"`, ['echo', 'a "quoted" word']],
    [`echo "keep \\n as is"`, ['echo', 'keep \\n as is']],
    ['echo a\\ b', ['echo', 'a b']],
    [`--flag="" next`, ['--flag=', 'next']],
    [`''`, ['']],
    [`pre'fix'"ed"`, ['prefixed']],
    ['echo $HOME; ls', ['echo', '$HOME;', 'ls']],
    ['', []],
  ])('%j', (line, words) => {
    expect(splitShellWords(line)).toEqual({ ok: true, value: words })
  })

  it.each([`echo 'unterminated`, `echo "open`])('refuses an unterminated quote: %j', (line) => {
    const result = splitShellWords(line)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toContain('unterminated')
  })
})
