// The secrets syntax in stacks (files by default, variables on request) and what one service's
// container gets from it; the deployment recorder's redaction of known values.
import { describe, expect, it } from 'vitest'
import { loadStack } from '@/server/modules/stack/load-stack'
import { DeploymentRecorder } from '@/server/modules/deployment/deployment-recorder'
import type { Db } from '@/server/db'
import { injectionFor, secretUsesOf } from './deployment-secrets'

const STACK = `services:
  api:
    image: registry.example.com/api:1.0
    secrets:
      - db_password
      - source: api_key
        x-traider: { env: API_KEY }
secrets:
  db_password:
    x-traider: { secret: db-password }
  api_key:
    x-traider: { secret: api-key }
`

function spec(yaml: string) {
  const loaded = loadStack(yaml, {})
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '))
  return loaded.spec
}

describe('secrets in stacks', () => {
  it('files at /run/secrets/<key> by default, a variable where the item says x-traider.env', () => {
    const stack = spec(STACK)
    expect(stack.services[0].secretEnv).toEqual({ API_KEY: 'api_key' })
    expect(secretUsesOf({ services: stack.services.map((s) => ({ name: s.name, spec: s })), secrets: stack.secrets })).toEqual([
      { service: 'api', key: 'db_password', source: 'db-password', as: 'file' },
      { service: 'api', key: 'api_key', source: 'api-key', as: 'env', variable: 'API_KEY' },
    ])
  })

  it('refuses x-traider on an item without a usable env name, and an undeclared secret', () => {
    const bad = loadStack(STACK.replace('x-traider: { env: API_KEY }', 'x-traider: { env: "9bad" }'), {})
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.errors.map((e) => e.message).join('\n')).toMatch(/x-traider: \{ env: VARIABLE_NAME \}/)
    const undeclared = loadStack(STACK.replace('  api_key:\n    x-traider: { secret: api-key }\n', ''), {})
    expect(undeclared.ok).toBe(false)
  })

  it('gives the container variables and files, and a hash that changes with a version', () => {
    const stack = spec(STACK)
    const uses = secretUsesOf({ services: stack.services.map((s) => ({ name: s.name, spec: s })), secrets: stack.secrets })
    const values = new Map([
      ['db-password', { name: 'db-password', version: 1, value: 'pw-one' }],
      ['api-key', { name: 'api-key', version: 4, value: 'key-four' }],
    ])
    const first = injectionFor('api', uses, values)
    expect(first.env).toEqual({ API_KEY: 'key-four' })
    expect(first.secretFiles).toEqual([{ name: 'db_password', value: 'pw-one' }])
    expect(first.secretsHash).toMatch(/^[0-9a-f]{32}$/)
    expect(first.secretsHash).not.toContain('pw-one')
    values.set('db-password', { name: 'db-password', version: 2, value: 'pw-two' })
    expect(injectionFor('api', uses, values).secretsHash).not.toBe(first.secretsHash)
    expect(injectionFor('other', uses, values)).toEqual({ env: undefined, secretFiles: undefined, secretsHash: undefined })
  })
})

describe('deployment recorder redaction', () => {
  it('scrubs known values from log lines, outcomes and step details', async () => {
    const writes: unknown[] = []
    const fakeDb = {
      deploymentLog: { create: async (args: unknown) => void writes.push(args) },
      deployment: { updateMany: async (args: unknown) => (writes.push(args), { count: 1 }) },
      deploymentStep: { upsert: async (args: unknown) => void writes.push(args) },
    } as unknown as Db
    const recorder = new DeploymentRecorder(fakeDb, 'd1', 'ROLLING_OUT')
    recorder.redact(['s3cr3t-value', 'abc'])
    await recorder.log('rollout', 'container said: password=s3cr3t-value; abc stays (too short to match)')
    await recorder.endStep('rollout', 'FAILED', { error: 'boom s3cr3t-value', nested: [{ at: new Date(0), text: 's3cr3t-value' }] })
    await recorder.transition('ROLLING_BACK', { outcome: 'failed with s3cr3t-value' })
    const text = JSON.stringify(writes)
    expect(text).not.toContain('s3cr3t-value')
    expect(text).toContain('password=[redacted]')
    expect(text).toContain('abc stays')
    expect(text).toContain('1970-01-01T00:00:00.000Z')
  })
})
