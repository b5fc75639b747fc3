// Table-driven tests of compose-merge against the compose spec's "Merge and override" rules:
// each case is two (or more) compose texts and the merged document `docker compose -f … -f …`
// gives for it.
import { describe, expect, it } from 'vitest'
import { mergeComposeFiles, portKey, secretTarget, splitOutsideVariables, tmpfsPath, volumeTarget } from './compose-merge'

const files = (...texts: string[]) => texts.map((text, i) => ({ name: `file${i + 1}.yml`, text }))

function merged(...texts: string[]): Record<string, unknown> {
  const result = mergeComposeFiles(files(...texts))
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'))
  return result.document
}

/** The merged `services.app` of a base and an override that only touch that service. */
function app(base: string, override: string): unknown {
  const indent = (text: string) => text.replace(/^/gm, '    ')
  const services = merged(`services:\n  app:\n${indent(base)}`, `services:\n  app:\n${indent(override)}`).services as Record<string, unknown>
  return services.app
}

describe('mergeComposeFiles: the spec rules', () => {
  it.each<[rule: string, base: string, override: string, expected: unknown]>([
    ['mapping: missing keys added, shared keys overridden', 'image: a:1\nuser: "1"', 'user: "2"\nread_only: true', { image: 'a:1', user: '2', read_only: true }],
    ['mapping: nested mappings merge', 'deploy: { resources: { limits: { cpus: "1", memory: 1G } } }', 'deploy: { resources: { limits: { memory: 2G } } }', { deploy: { resources: { limits: { cpus: '1', memory: '2G' } } } }],
    ['scalar: a null override keeps the earlier value', 'user: "1"', 'user:', { user: '1' }],
    ['command: replaced, not appended', 'command: [echo, foo]', 'command: [echo, bar]', { command: ['echo', 'bar'] }],
    ['command: a string replaces a list', 'command: [echo, foo]', 'command: echo bar', { command: 'echo bar' }],
    ['entrypoint: replaced', 'entrypoint: [a]', 'entrypoint: [b, c]', { entrypoint: ['b', 'c'] }],
    ['healthcheck.test replaced, other fields merged', 'healthcheck: { test: [CMD, a], interval: 5s }', 'healthcheck: { test: [CMD, b], retries: 3 }', { healthcheck: { test: ['CMD', 'b'], interval: '5s', retries: 3 } }],
    ['ports: same {ip, published, target, protocol} replaced in place, others appended', 'ports: ["80:80", "443:443"]', 'ports: ["80:80", "127.0.0.1:9229:9229"]', { ports: ['80:80', '443:443', '127.0.0.1:9229:9229'] }],
    ['ports: short and long syntax of one binding are one entry', 'ports: ["127.0.0.1:5432:5432"]', 'ports: [{ target: 5432, published: 5432, host_ip: 127.0.0.1 }]', { ports: [{ target: 5432, published: 5432, host_ip: '127.0.0.1' }] }],
    ['ports: another protocol is another entry', 'ports: ["53:53"]', 'ports: ["53:53/udp"]', { ports: ['53:53', '53:53/udp'] }],
    ['volumes: same target replaced (spec example)', 'volumes: ["foo:/work"]', 'volumes: ["bar:/work"]', { volumes: ['bar:/work'] }],
    ['volumes: a new target appended', 'volumes: ["data:/data"]', 'volumes: ["/src:/app/src:ro"]', { volumes: ['data:/data', '/src:/app/src:ro'] }],
    ['volumes: ":" inside ${…} is not a separator', 'volumes: ["${DIR:-/opt/a}/x.conf:/etc/x.conf:ro"]', 'volumes: ["${DIR:-/opt/b}/x.conf:/etc/x.conf:ro"]', { volumes: ['${DIR:-/opt/b}/x.conf:/etc/x.conf:ro'] }],
    ['volumes: long syntax keyed by target', 'volumes: [{ type: volume, source: a, target: /d }]', 'volumes: ["b:/d"]', { volumes: ['b:/d'] }],
    ['secrets: keyed by /run/secrets/<source>', 'secrets: [db]', 'secrets: [db, { source: api, target: /run/secrets/api }]', { secrets: ['db', { source: 'api', target: '/run/secrets/api' }] }],
    ['environment: merged by key (mappings)', 'environment: { A: "1", B: "2" }', 'environment: { B: "3", C: "4" }', { environment: { A: '1', B: '3', C: '4' } }],
    ['environment: merged by key (lists stay a list)', 'environment: [A=1, B=2]', 'environment: [B=3, C]', { environment: ['A=1', 'B=3', 'C'] }],
    ['environment: list over mapping becomes a mapping', 'environment: { A: "1" }', 'environment: [A=2, D=4]', { environment: { A: '2', D: '4' } }],
    ['environment: a bare key replaces (pass-through)', 'environment: { A: "1" }', 'environment: { A: }', { environment: { A: null } }],
    ['labels: merged by key', 'labels: [x=1]', 'labels: { y: "2" }', { labels: { x: '1', y: '2' } }],
    ['depends_on: list over mapping merged as mappings', 'depends_on: { db: { condition: service_healthy } }', 'depends_on: [cache]', { depends_on: { db: { condition: 'service_healthy' }, cache: { condition: 'service_started' } } }],
    ['depends_on: a later condition wins', 'depends_on: [db]', 'depends_on: { db: { condition: service_healthy } }', { depends_on: { db: { condition: 'service_healthy' } } }],
    ['depends_on: two lists are a union', 'depends_on: [db]', 'depends_on: [db, cache]', { depends_on: ['db', 'cache'] }],
    ['networks: lists are a union', 'networks: [app]', 'networks: [app, data]', { networks: ['app', 'data'] }],
    ['networks: list and mapping merge as mappings', 'networks: [app]', 'networks: { data: {} }', { networks: { app: null, data: {} } }],
    ['cap_add/cap_drop: unions', 'cap_drop: [ALL]\ncap_add: [CHOWN]', 'cap_drop: [ALL]\ncap_add: [CHOWN, SETUID]', { cap_drop: ['ALL'], cap_add: ['CHOWN', 'SETUID'] }],
    ['security_opt: union', 'security_opt: ["no-new-privileges:true"]', 'security_opt: ["no-new-privileges:true", "seccomp=unconfined"]', { security_opt: ['no-new-privileges:true', 'seccomp=unconfined'] }],
    ['dns: union', 'dns: [1.1.1.1]', 'dns: [8.8.8.8]', { dns: ['1.1.1.1', '8.8.8.8'] }],
    ['tmpfs: a string is a one-item list; same path replaced', 'tmpfs: /tmp', 'tmpfs: ["/tmp:size=64m", /run]', { tmpfs: ['/tmp:size=64m', '/run'] }],
    ['other sequences: appended without duplicates', 'x-list: [a, b]', 'x-list: [b, c]', { 'x-list': ['a', 'b', 'c'] }],
    ['x- extensions: merged like any mapping', 'x-meta: { a: 1 }', 'x-meta: { b: 2 }', { 'x-meta': { a: 1, b: 2 } }],
    ['!reset: removes the key (spec example)', 'ports: ["8080:80"]\nenvironment: { FOO: BAR }', 'ports: !reset []\nenvironment: { FOO: !reset null }', { environment: {} }],
    ['!override: replaces wholesale (spec example)', 'image: myapp\nports: ["8080:80"]', 'ports: !override ["8443:443"]', { image: 'myapp', ports: ['8443:443'] }],
    ['!override on a mapping: no recursive merge', 'healthcheck: { test: [CMD, a], interval: 5s }', 'healthcheck: !override { test: [CMD, b] }', { healthcheck: { test: ['CMD', 'b'] } }],
  ])('%s', (_rule, base, override, expected) => {
    expect(app(base, override)).toEqual(expected)
  })

  it('merges top-level sections and adds services from later files', () => {
    expect(
      merged(
        'name: t\nservices:\n  a: { image: a:1 }\nnetworks:\n  data: { internal: true }\nvolumes:\n  v: {}\n',
        'services:\n  b: { image: b:1 }\nnetworks:\n  data: { internal: false }\n',
      ),
    ).toEqual({ name: 't', services: { a: { image: 'a:1' } , b: { image: 'b:1' } }, networks: { data: { internal: false } }, volumes: { v: {} } })
  })

  it('applies three files in order (a later file wins over both earlier ones)', () => {
    expect(merged('services: { a: { user: "1", tmpfs: /tmp } }', 'services: { a: { user: "2" } }', 'services: { a: { user: "3", tmpfs: /run } }')).toEqual({
      services: { a: { user: '3', tmpfs: ['/tmp', '/run'] } },
    })
  })

  it('resolves anchors and << merge keys within a file before merging', () => {
    const base = 'x-h: &h\n  read_only: true\n  cap_drop: [ALL]\nservices:\n  a:\n    <<: *h\n    image: a:1\n'
    expect(merged(base, 'services: { a: { cap_drop: [ALL], read_only: false } }')).toEqual({
      'x-h': { read_only: true, cap_drop: ['ALL'] },
      services: { a: { read_only: false, cap_drop: ['ALL'], image: 'a:1' } },
    })
  })

  it('strips !reset and !override in the first file too', () => {
    expect(merged('services: { a: { image: a:1, user: !reset "1", ports: !override ["80:80"] } }')).toEqual({ services: { a: { image: 'a:1', ports: ['80:80'] } } })
  })

  it('does not modify its inputs (a merge can be repeated)', () => {
    const inputs = files('services: { a: { ports: ["80:80"], environment: { A: "1" } } }', 'services: { a: { ports: ["81:81"], environment: { B: "2" } } }')
    const first = mergeComposeFiles(inputs)
    expect(mergeComposeFiles(inputs)).toEqual(first)
  })
})

describe('mergeComposeFiles: refusals', () => {
  it.each<[what: string, texts: string[], message: RegExp]>([
    ['a list over a mapping', ['services: { a: { healthcheck: { test: [CMD, a] } } }', 'services: { a: { healthcheck: [x] } }'], /file2\.yml: services\.a\.healthcheck is a list here but a mapping in the files before it: .*!override/],
    ['ports as a mapping', ['services: { a: { ports: ["80:80"] } }', 'services: { a: { ports: { x: 1 } } }'], /services\.a\.ports is a mapping here but a list/],
    ['!reset on a list item', ['services: { a: { ports: ["80:80"] } }', 'services: { a: { ports: [!reset "80:80"] } }'], /file2\.yml: !reset on list item services\.a\.ports\[0\] is not supported/],
    ['!override on the whole file', ['services: {}', '!override\nservices: {}'], /file2\.yml: !override on the whole file is not supported/],
    ['a YAML syntax error', ['services: {}', 'services: [a'], /file2\.yml: YAML syntax error/],
    ['a file that is not a mapping', ['services: {}', '- a'], /file2\.yml: a compose file must be a mapping/],
    ['no files at all', [], /no compose files to merge/],
  ])('%s', (_what, texts, message) => {
    const result = mergeComposeFiles(files(...texts))
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.errors.map((e) => e.message).join('\n')).toMatch(message)
  })

  it('pins a tag refusal to its line', () => {
    const result = mergeComposeFiles(files('services:\n  a:\n    ports:\n      - !reset "80:80"\n'))
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.errors[0]).toMatchObject({ file: 'file1.yml', path: 'services.a.ports[0]', line: 4 })
  })
})

describe('unique keys', () => {
  it.each<[entry: unknown, key: string]>([
    ['80', '||80|tcp'],
    [80, '||80|tcp'],
    ['8080:80', '|8080|80|tcp'],
    ['0.0.0.0:8080:80', '|8080|80|tcp'],
    ['127.0.0.1:8080:80/udp', '127.0.0.1|8080|80|udp'],
    ['[::1]:8080:80', '::1|8080|80|tcp'],
    ['${HOST_PORT:-8080}:80', '|${HOST_PORT:-8080}|80|tcp'],
    [{ target: 80, published: 8080, protocol: 'TCP' }, '|8080|80|tcp'],
  ])('port %j → %s', (entry, key) => {
    expect(portKey(entry)).toBe(key)
  })

  it.each<[entry: unknown, target: string]>([
    ['/data', '/data'],
    ['data:/data', '/data'],
    ['/srv/x:/x:ro', '/x'],
    ['${CONFIG_DIR:-/opt/traider}/a.conf:/etc/a.conf:ro', '/etc/a.conf'],
    [{ type: 'tmpfs', target: '/run' }, '/run'],
  ])('volume %j → target %s', (entry, target) => {
    expect(volumeTarget(entry)).toBe(target)
  })

  it('secret targets default to /run/secrets/<source>', () => {
    expect([secretTarget('db'), secretTarget({ source: 'db' }), secretTarget({ source: 'db', target: 'pw' }), secretTarget({ source: 'db', target: '/etc/pw' })]).toEqual([
      '/run/secrets/db',
      '/run/secrets/db',
      '/run/secrets/pw',
      '/etc/pw',
    ])
  })

  it('tmpfs entries are keyed by mount path', () => {
    expect([tmpfsPath('/tmp'), tmpfsPath('/tmp:size=64m,mode=1777')]).toEqual(['/tmp', '/tmp'])
  })

  it('splits outside ${…}, nested, and keeps $$', () => {
    expect(splitOutsideVariables('${A:-${B:-x:y}}:/t:ro', ':')).toEqual(['${A:-${B:-x:y}}', '/t', 'ro'])
    expect(splitOutsideVariables('$${A:b', ':')).toEqual(['$${A', 'b'])
  })
})
