// Unit tests for compose variable interpolation: every operator, $$, nesting, errors,
// key interpolation under environment, and the type casts applied after interpolation.
import { describe, expect, it } from 'vitest'
import { interpolateCompose, substituteVariables, type SubstitutionProblem } from './interpolate'

const vars = { SET: 'value', EMPTY: '', TAG: '1.4.2', PORT: '8080', OTHER: 'other' }

describe('substituteVariables', () => {
  const cases: Array<[name: string, template: string, expected: string, problems?: SubstitutionProblem[]]> = [
    ['plain text is unchanged', 'nginx:1.27', 'nginx:1.27'],
    ['$VAR', 'app:$TAG', 'app:1.4.2'],
    ['$VAR stops at the first non-name character', '$TAG-suffix', '1.4.2-suffix'],
    ['${VAR}', 'app:${TAG}', 'app:1.4.2'],
    ['${VAR} glued to text', 'x${SET}y', 'xvaluey'],
    ['unset $VAR is empty and missing', 'a$NOPE', 'a', [{ kind: 'missing', name: 'NOPE' }]],
    ['unset ${VAR} is empty and missing', 'a${NOPE}b', 'ab', [{ kind: 'missing', name: 'NOPE' }]],
    ['set-but-empty ${VAR} is fine', '[${EMPTY}]', '[]'],
    [':- uses the value when set', '${SET:-fallback}', 'value'],
    [':- uses the default when unset', '${NOPE:-fallback}', 'fallback'],
    [':- uses the default when empty', '${EMPTY:-fallback}', 'fallback'],
    ['- uses the default when unset', '${NOPE-fallback}', 'fallback'],
    ['- keeps an empty value', '[${EMPTY-fallback}]', '[]'],
    ['empty default is allowed', '[${NOPE:-}]', '[]'],
    ['default may contain spaces and colons', '${NOPE:-a b:c}', 'a b:c'],
    [':? passes a set value', '${SET:?must be set}', 'value'],
    [':? fails when unset', '${NOPE:?must be set}', '', [{ kind: 'required', name: 'NOPE', isSet: false, hint: 'must be set' }]],
    [':? fails when empty', '${EMPTY:?must not be empty}', '', [{ kind: 'required', name: 'EMPTY', isSet: true, hint: 'must not be empty' }]],
    ['? passes an empty value', '[${EMPTY?needed}]', '[]'],
    ['? fails when unset', '${NOPE?needed}', '', [{ kind: 'required', name: 'NOPE', isSet: false, hint: 'needed' }]],
    [':+ gives the alternative when set', '${SET:+alt}', 'alt'],
    [':+ gives nothing when empty', '[${EMPTY:+alt}]', '[]'],
    [':+ gives nothing when unset (not missing)', '[${NOPE:+alt}]', '[]'],
    ['+ gives the alternative when set, even empty', '${EMPTY+alt}', 'alt'],
    ['+ gives nothing when unset', '[${NOPE+alt}]', '[]'],
    ['$$ is a literal $', 'cost: $$5', 'cost: $5'],
    ['$$ escapes a variable', 'echo $${HOME} $$HOME', 'echo ${HOME} $HOME'],
    ['$ before a non-name character stays', 'price $5 and $ alone, $', 'price $5 and $ alone, $'],
    ['nested default (docker compose ≥ 2.2)', '${NOPE:-${SET}}', 'value'],
    ['doubly nested default', '${NOPE:-${ALSO_NOPE:-deep}}', 'deep'],
    ['nested default inside text', 'pre-${NOPE:-${TAG}-x}-post', 'pre-1.4.2-x-post'],
    ['nested variable in an alternative', '${SET:+${OTHER}}', 'other'],
    ['nested variable in an error message', '${NOPE:?set $OTHER}', '', [{ kind: 'required', name: 'NOPE', isSet: false, hint: 'set other' }]],
    ['braces after the expression are text', '{{{ ${NOPE:-foo} }}}', '{{{ foo }}}'],
    ['unterminated ${ is invalid', 'a ${TAG', 'a ${TAG', [{ kind: 'invalid', expression: '${TAG' }]],
    ['empty ${} is invalid', '${}', '${}', [{ kind: 'invalid', expression: '${}' }]],
    ['bash pattern substitution is invalid', '${TAG/1/2}', '${TAG/1/2}', [{ kind: 'invalid', expression: '${TAG/1/2}' }]],
  ]
  it.each(cases)('%s', (_name, template, expected, problems = []) => {
    const result = substituteVariables(template, vars)
    expect(result.value).toBe(expected)
    expect(result.problems).toEqual(problems)
  })

  it('counts variables in unevaluated defaults as used, but never as missing', () => {
    const result = substituteVariables('${SET:-${UNSET_DEFAULT}} ${NOPE:+$ALT_UNSET}', vars)
    expect([...result.used].sort()).toEqual(['ALT_UNSET', 'NOPE', 'SET', 'UNSET_DEFAULT'])
    expect(result.problems).toEqual([])
  })
})

describe('interpolateCompose', () => {
  const document = {
    name: 'traider',
    services: {
      api: {
        image: 'registry.example/api:${API_TAG}',
        environment: { '${PREFIX:-APP}_MODE': 'live', DSN: 'postgres://db/${DB_NAME:?name the database}', RAW: '$$literal' },
        ports: [{ target: 80, published: '${PORT}' }, '${HOST_PORT:-9000}:9000'],
        read_only: '${READ_ONLY:-true}',
        healthcheck: { retries: '${RETRIES:-5}' },
        labels: { '${NOT_A_KEY}': 'x' },
      },
    },
    'x-extra': { note: '${EXTRA}' },
  }

  it('interpolates values everywhere, keys only under environment, and casts known fields', () => {
    const result = interpolateCompose(document, { API_TAG: '2.0.1', DB_NAME: 'trades', PORT: '8080', EXTRA: 'e' })
    const api = (result.value as { services: { api: Record<string, unknown> } }).services.api
    expect(api.image).toBe('registry.example/api:2.0.1')
    expect(api.environment).toEqual({ APP_MODE: 'live', DSN: 'postgres://db/trades', RAW: '$literal' })
    expect(api.ports).toEqual([{ target: 80, published: 8080 }, '9000:9000'])
    expect(api.read_only).toBe(true)
    expect(api.healthcheck).toEqual({ retries: 5 })
    expect(api.labels).toEqual({ '${NOT_A_KEY}': 'x' })
    expect(result.issues).toEqual([])
    expect(result.variablesUsed).toEqual(['API_TAG', 'DB_NAME', 'EXTRA', 'HOST_PORT', 'PORT', 'PREFIX', 'READ_ONLY', 'RETRIES'])
    expect(result.variablesMissing).toEqual([])
  })

  it('reports each missing variable with the path that uses it (x- fields included)', () => {
    const result = interpolateCompose(document, { PORT: '8080' })
    expect(result.variablesMissing).toEqual(['API_TAG', 'DB_NAME', 'EXTRA'])
    expect(result.issues.map((issue) => issue.message)).toEqual([
      'variable "API_TAG" (used in services.api.image) is not set: set it for this release, or give a default with ${API_TAG:-default}',
      'required variable "DB_NAME" (used in services.api.environment.DSN) is not set: name the database',
      'variable "EXTRA" (used in x-extra.note) is not set: set it for this release, or give a default with ${EXTRA:-default}',
    ])
    expect(result.failedPaths).toEqual([
      ['services', 'api', 'image'],
      ['services', 'api', 'environment', 'DSN'],
      ['x-extra', 'note'],
    ])
  })

  it('leaves a cast value alone when it does not look like the type', () => {
    const result = interpolateCompose({ services: { a: { read_only: 'maybe', ports: [{ target: 'eighty' }] } } }, {})
    expect(result.value).toEqual({ services: { a: { read_only: 'maybe', ports: [{ target: 'eighty' }] } } })
  })
})
