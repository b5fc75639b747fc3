// Unit tests for the export formats: RFC 4180 quoting, null kept apart from "", the CSV
// header and record shape, NDJSON lines, and the download's file name.
import { describe, expect, it } from 'vitest'
import { csvField, csvRow, CSV_HEADER, EXPORT_COLUMNS, exportFileName, ndjsonLine } from './audit-export'
import type { AuditEventRow } from './audit.queries'

const row: AuditEventRow = {
  id: 12345678901234n,
  at: new Date('2026-11-26T14:03:12.345Z'),
  actorType: 'USER',
  actorId: 'u1',
  actorLabel: 'ana@example.test',
  action: 'environment.update',
  targetType: 'environment',
  targetId: 'e1',
  environmentId: 'e1',
  ip: '10.0.0.1',
  userAgent: 'Mozilla/5.0 (X11, Linux)',
  outcome: 'success',
  summary: { before: { name: 'a, "b"' }, after: { name: 'line 1\nline 2' } },
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
}

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['"', '""""'],
    ['line 1\nline 2', '"line 1\nline 2"'],
    ['cr\rlf', '"cr\rlf"'],
    ['crlf\r\n', '"crlf\r\n"'],
    ['', '""'],
    [' spaces kept ', ' spaces kept '],
    ['ünïcødé ✓', 'ünïcødé ✓'],
  ])('%j → %j', (input, output) => {
    expect(csvField(input)).toBe(output)
  })
  it('writes null as an empty unquoted field, apart from the empty string', () => {
    expect(csvField(null)).toBe('')
    expect(csvField('')).toBe('""')
  })
})

describe('csvRow', () => {
  it('has one field per header column, in order, CRLF-terminated, summary as JSON text', () => {
    expect(CSV_HEADER).toBe(`${EXPORT_COLUMNS.join(',')}\r\n`)
    const line = csvRow({ ...row, ip: null, summary: null })
    expect(line.endsWith('\r\n')).toBe(true)
    expect(line).toBe(
      `12345678901234,2026-11-26T14:03:12.345Z,USER,u1,ana@example.test,environment.update,environment,e1,e1,,"Mozilla/5.0 (X11, Linux)",success,,${'0'.repeat(64)},${'f'.repeat(64)}\r\n`,
    )
  })
  it('quotes the summary JSON (it holds commas and quotes)', () => {
    const line = csvRow(row)
    expect(line).toContain(`"{""before"":{""name"":""a, \\""b\\""""},""after"":{""name"":""line 1\\nline 2""}}"`)
  })
})

describe('ndjsonLine', () => {
  it('is one JSON object and a newline, id as a string, every column present', () => {
    const line = ndjsonLine({ ...row, summary: null })
    expect(line.endsWith('\n')).toBe(true)
    expect(line.slice(0, -1)).not.toContain('\n')
    const parsed = JSON.parse(line)
    expect(Object.keys(parsed)).toEqual([...EXPORT_COLUMNS])
    expect(parsed).toMatchObject({ id: '12345678901234', at: '2026-11-26T14:03:12.345Z', summary: null, prevHash: '0'.repeat(64) })
  })
  it('keeps newlines inside values escaped, so each record stays on one line', () => {
    expect(ndjsonLine(row).trimEnd().split('\n')).toHaveLength(1)
  })
})

describe('exportFileName', () => {
  it('is traider-audit-<UTC timestamp>.<format>', () => {
    const now = new Date('2026-11-26T14:03:12.345Z')
    expect(exportFileName('ndjson', now)).toBe('traider-audit-20261126T140312Z.ndjson')
    expect(exportFileName('csv', now)).toBe('traider-audit-20261126T140312Z.csv')
  })
})
