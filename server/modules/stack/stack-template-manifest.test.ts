// Stack templates made of several compose files (<id>.template.json): merged in order with a
// header naming them, beside single-file templates; a broken manifest is refused with what to fix.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { afterAll, describe, expect, it } from 'vitest'
import { listStackTemplates } from './stack-templates'

describe('stack templates from a manifest (<id>.template.json)', () => {
  const roots: string[] = []
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })))

  function templatesDir(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(tmpdir(), 'traider-templates-'))
    roots.push(root)
    const dir = path.join(root, 'templates')
    mkdirSync(dir)
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
      writeFileSync(path.join(dir, name), text)
    }
    return dir
  }
  const manifest = (files: string[], extra: object = {}) => JSON.stringify({ title: 'Merged', description: 'A merged template for tests', files, ...extra })

  it('merges its files in order into one compose text, with a header naming them, beside single-file templates', async () => {
    const dir = templatesDir({
      'a-single.yml': '# title: Single\n# description: one file\nservices:\n  web: { image: "nginx:1.27" }\n',
      '../src/base.yml': 'services:\n  web:\n    image: nginx:1.27\n    ports: ["8080:80"]\n    environment: { A: "1" }\n',
      '../src/over.yml': 'services:\n  web:\n    ports: ["127.0.0.1:9229:9229"]\n    environment: { B: "2" }\n',
      'b-merged.template.json': manifest(['../src/base.yml', '../src/over.yml']),
    })
    const templates = await listStackTemplates(dir)
    expect(templates.map((t) => [t.id, t.title])).toEqual([['a-single', 'Single'], ['b-merged', 'Merged']])
    const merged = templates[1]
    expect(merged.description).toBe('A merged template for tests')
    expect(merged.composeYaml).toMatch(/^# title: Merged\n# description: A merged template for tests\n/)
    expect(merged.composeYaml).toContain(`-f ${path.resolve(dir, '../src/base.yml')} -f ${path.resolve(dir, '../src/over.yml')}`)
    expect(parse(merged.composeYaml)).toEqual({ services: { web: { image: 'nginx:1.27', ports: ['8080:80', '127.0.0.1:9229:9229'], environment: { A: '1', B: '2' } } } })
  })

  it.each<[what: string, files: Record<string, string>, message: RegExp]>([
    ['a file that does not exist', { 'm.template.json': manifest(['missing.yml']) }, /m\.template\.json is broken: it names "missing\.yml", which cannot be read \(ENOENT\): fix "files"/],
    ['invalid JSON', { 'm.template.json': '{ "title": ' }, /is broken: it is not valid JSON/],
    ['no files', { 'm.template.json': manifest([]) }, /is broken: files: .*; it must be \{ "title"/],
    ['an unknown key', { 'm.template.json': manifest(['a.yml'], { variables: {} }) }, /is broken: .*variables/],
    ['files that do not merge', { '../src/a.yml': 'services: { web: { ports: ["80:80"] } }', '../src/b.yml': 'services: { web: { ports: { x: 1 } } }', 'm.template.json': manifest(['../src/a.yml', '../src/b.yml']) }, /is broken: .*b\.yml: services\.web\.ports is a mapping here but a list/],
    ['two templates with one id', { 'm.yml': 'services: {}', 'm.template.json': manifest(['m.yml']) }, /two templates with the id "m": rename one of them/],
  ])('refuses %s, saying what to fix', async (_what, files, message) => {
    await expect(listStackTemplates(templatesDir(files))).rejects.toThrow(message)
  })
})
