// Unit tests for schema validation against the compose-spec JSON schema and for the
// translation of ajv errors into sentences naming the path.
import { describe, expect, it } from 'vitest'
import { validateComposeSchema } from './compose-schema'
import { formatPath } from './stack-issue'
import { loadStack } from './load-stack'

const web = (service: Record<string, unknown>) => ({ services: { web: { image: 'nginx:1.27', ...service } } })
const explain = (data: unknown) => validateComposeSchema(data).map((issue) => `${formatPath(issue.at)} | ${issue.message}`)

describe('validateComposeSchema', () => {
  it('accepts a valid file, including the top-level name', () => {
    expect(validateComposeSchema({ name: 'traider', ...web({ ports: ['80:80'], environment: { A: 1, B: true, C: null } }) })).toEqual([])
  })

  it.each([
    ['ports as a string', web({ ports: '80:80' }), ['services.web.ports | services.web.ports must be a list (got a string): write one port per list item, like - "8080:80"']],
    ['command as a number', web({ command: 5 }), ['services.web.command | services.web.command must be a string or a list (got a whole number)']],
    ['environment as a string', web({ environment: 'A=1' }), ['services.web.environment | services.web.environment must be a mapping or a list (got a string)']],
    [
      'an environment value that is a mapping',
      web({ environment: { A: { nested: 1 } } }),
      ['services.web.environment.A | services.web.environment.A must be a string, a number, a boolean or empty (got a mapping)'],
    ],
    ['read_only as a string', web({ read_only: 'maybe' }), ['services.web.read_only | services.web.read_only must be true or false (got a string)']],
    ['memory as a number', web({ deploy: { resources: { limits: { memory: 512 } } } }), [
      'services.web.deploy.resources.limits.memory | services.web.deploy.resources.limits.memory must be a string (got a whole number): write a size with a unit, like "512M"',
    ]],
    ['depends_on entry without condition', web({ depends_on: { db: {} } }), ['services.web.depends_on.db | services.web.depends_on.db is missing "condition": add it']],
    ['a bad duration', web({ healthcheck: { test: ['CMD', 'true'], interval: '10 seconds' } }), [
      'services.web.healthcheck.interval | services.web.healthcheck.interval must be a duration like "10s", "1m30s" or "500ms" (got "10 seconds")',
    ]],
    ['a misspelt service key', web({ imagee: 'x' }), [
      'services.web.imagee | service "web" has an unknown key "imagee" (did you mean "image"?): remove it or correct its spelling; custom fields must start with "x-"',
    ]],
    ['an unknown top-level key', { servics: {}, ...web({}) }, [
      'servics | the file has an unknown top-level key "servics" (did you mean "services"?): remove it or correct its spelling; custom fields must start with "x-"',
    ]],
    ['an invalid service name', { services: { 'my web': { image: 'x' } } }, ['services["my web"] | service name "my web" is not valid: use only letters, digits, ".", "_" and "-"']],
    ['a duplicate capability', web({ cap_add: ['NET_ADMIN', 'NET_ADMIN'] }), ['services.web.cap_add | services.web.cap_add lists the same entry twice (items 0 and 1): remove the duplicate']],
    ['a network option of the wrong type', web({ networks: { backend: 'yes' } }), ['services.web.networks.backend | services.web.networks.backend must be a mapping or empty (got a string)']],
    ['a volume entry that is a number', web({ volumes: [5] }), ['services.web.volumes[0] | services.web.volumes[0] must be a string or a mapping (got a whole number)']],
    ['an unknown key in a long-syntax port', web({ ports: [{ target: 80, host: 'x' }] }), [
      'services.web.ports[0].host | services.web.ports[0] has an unknown key "host": remove it or correct its spelling; custom fields must start with "x-"',
    ]],
    ['services as a list', { services: ['web'] }, ['services | services must be a mapping (got a list)']],
    ['a wrong enum', web({ depends_on: { db: { condition: 'ready' } } }), [
      'services.web.depends_on.db.condition | services.web.depends_on.db.condition must be one of "service_started", "service_healthy", "service_completed_successfully" (got "ready")',
    ]],
  ])('%s', (_name, data, expected) => {
    expect(explain(data)).toEqual(expected)
  })

  it('reports several problems at once', () => {
    expect(explain(web({ ports: '80', command: 1, read_only: 'no' }))).toHaveLength(3)
  })
})

describe('loadStack with schema and syntax errors', () => {
  it('gives a schema error its path, service and position', () => {
    const result = loadStack('services:\n  web:\n    image: nginx:1.27\n    ports: "80:80"\n', {})
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: 'services.web.ports',
          service: 'web',
          line: 4,
          column: 12,
          message: 'services.web.ports must be a list (got a string): write one port per list item, like - "8080:80"',
        },
      ],
    })
  })

  it.each([
    ['bad indentation', 'services:\n  web:\n    image: nginx\n   ports: []\n', 4, 1, 'All mapping items must start at the same column'],
    ['an unclosed flow sequence', 'services:\n  web:\n    image: nginx\n    ports: [ "80:80"\n', 5, 1, 'Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['a duplicate key', 'services:\n  web:\n    image: nginx\n    image: httpd\n', 4, 5, 'Map keys must be unique'],
    ['a tab for indentation', 'services:\n\tweb:\n    image: nginx\n', 2, 1, 'Tabs are not allowed as indentation'],
  ])('reports YAML syntax errors with line and column: %s', (_name, yaml, line, column, fragment) => {
    const result = loadStack(yaml, {})
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors[0]).toMatchObject({ line, column })
    expect(result.errors[0].message).toContain(`YAML syntax error at line ${line}, column ${column}: ${fragment}`)
  })

  it.each([
    ['', 'the file is empty'],
    ['# only a comment\n', 'the file is empty'],
    ['- web\n', 'got a list'],
    ['just text', 'got a string'],
  ])('refuses a file that is not a mapping: %j', (yaml, fragment) => {
    const result = loadStack(yaml, {})
    expect(result.ok === false && result.errors[0].message).toContain(fragment)
  })
})
