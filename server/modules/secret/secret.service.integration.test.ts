// The secret procedures against the real Postgres: names/missing/usage in the overview, write-only
// values (no procedure returns one, audit entries carry names only), Vault settings sealed at rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db, disconnectDb } from '@/server/db'
import { saveStackVersion } from '@/server/modules/stack/stack.service'
import { callerFor, makeUser, unique } from '@/test/factories'
import { TEST_ACTOR } from '@/test/deploy-harness'

const STACK = `services:
  api:
    image: traider-fixture:v1
    secrets:
      - db_password
      - source: api_key
        x-traider: { env: API_KEY }
  worker:
    image: traider-fixture:v1
    secrets: [db_password]
secrets:
  db_password:
    x-traider: { secret: db-password }
  api_key:
    x-traider: { secret: api-key }
`

let admin: Awaited<ReturnType<typeof makeUser>>
let operator: Awaited<ReturnType<typeof makeUser>>
let environmentId: string
beforeAll(async () => {
  admin = await makeUser('ADMIN')
  operator = await makeUser('OPERATOR')
  const slug = unique('secsvc')
  environmentId = (await db().environment.create({ data: { name: `Secrets ${slug}`, slug, tier: 'DEVELOPMENT', dockerEndpoint: 'unix:///var/run/docker.sock' } })).id
  await saveStackVersion({ db: db() }, TEST_ACTOR, { environmentId, composeYaml: STACK, source: 'pasted' })
})
afterAll(disconnectDb)

describe('secret procedures', () => {
  it('shows the names the stack needs as missing until they are set, with who uses them', async () => {
    const overview = await callerFor(operator).secret.overview({ environmentId })
    expect(overview.store).toMatchObject({ backend: 'EMBEDDED', health: { ok: true } })
    expect(overview.secrets).toEqual([])
    expect(overview.missing).toEqual([
      { name: 'api-key', usedBy: [{ service: 'api', key: 'api_key', as: 'env', variable: 'API_KEY' }] },
      { name: 'db-password', usedBy: [{ service: 'api', key: 'db_password', as: 'file' }, { service: 'worker', key: 'db_password', as: 'file' }] },
    ])
  })

  it('sets and rotates write-only; nothing returns the value; audit has names and versions only', async () => {
    const value = `val-${unique('x')}`
    const first = await callerFor(admin).secret.set({ environmentId, name: 'db-password', value })
    expect(first).toEqual({ name: 'db-password', version: 1, rotated: false })
    const second = await callerFor(admin).secret.set({ environmentId, name: 'db-password', value: `${value}-2` })
    expect(second).toEqual({ name: 'db-password', version: 2, rotated: true })
    const overview = await callerFor(operator).secret.overview({ environmentId })
    expect(JSON.stringify(overview)).not.toContain(value)
    expect(overview.secrets).toEqual([expect.objectContaining({ name: 'db-password', version: 2, updatedBy: admin.email })])
    expect(overview.missing.map((m) => m.name)).toEqual(['api-key'])

    const audits = await db().auditEvent.findMany({ where: { environmentId, action: { startsWith: 'secret.' } }, orderBy: { id: 'asc' } })
    expect(audits.map((a) => a.action)).toEqual(['secret.write', 'secret.rotate'])
    expect(audits.map((a) => a.summary)).toEqual([
      { name: 'db-password', version: 1, store: 'embedded' },
      { name: 'db-password', version: 2, store: 'embedded' },
    ])
  })

  it('refuses empty values and operators writing; deletes with an audit entry', async () => {
    await expect(callerFor(admin).secret.set({ environmentId, name: 'api-key', value: '' })).rejects.toThrow(/cannot be empty/)
    await expect(callerFor(operator).secret.set({ environmentId, name: 'api-key', value: 'x' })).rejects.toThrow(/Permission required: secret:write/)
    await callerFor(admin).secret.set({ environmentId, name: 'temp', value: 'temp-value' })
    await callerFor(admin).secret.delete({ environmentId, name: 'temp' })
    expect((await callerFor(operator).secret.overview({ environmentId })).secrets.map((s) => s.name)).not.toContain('temp')
    expect(await db().auditEvent.count({ where: { environmentId, action: 'secret.delete', targetId: 'temp' } })).toBe(1)
  })

  it('keeps Vault settings sealed, shows them without credentials, keeps saved credentials when left blank', async () => {
    const slug = unique('secvault')
    const envId = (await db().environment.create({ data: { name: `Vault ${slug}`, slug, tier: 'PRODUCTION', dockerEndpoint: 'unix:///var/run/docker.sock' } })).id
    const token = `hvs.${unique('token')}`
    await callerFor(admin).secret.updateStore({ environmentId: envId, backend: 'VAULT', address: 'http://127.0.0.1:9', mount: 'secret', pathPrefix: `traider/${slug}`, authMethod: 'token', token })
    const row = await db().secretStoreConfig.findUniqueOrThrow({ where: { environmentId: envId } })
    expect(row.vaultSealed).toMatch(/^v1\./)
    expect(row.vaultSealed).not.toContain(token)
    expect(row.vaultSealed).not.toContain('127.0.0.1')
    const overview = await callerFor(operator).secret.overview({ environmentId: envId })
    expect(overview.store.vault).toEqual({ address: 'http://127.0.0.1:9', namespace: null, mount: 'secret', pathPrefix: `traider/${slug}`, authMethod: 'token', roleId: null })
    expect(overview.store.health.ok).toBe(false)
    expect(overview.store.health.detail).toMatch(/could not be reached/)
    expect(JSON.stringify(overview)).not.toContain(token)
    // Blank token: the saved one stays.
    await callerFor(admin).secret.updateStore({ environmentId: envId, backend: 'VAULT', address: 'http://127.0.0.1:10', mount: 'secret', pathPrefix: `traider/${slug}`, authMethod: 'token' })
    const { readVaultSettings } = await import('./secret-store-for')
    expect((await readVaultSettings(db(), envId))?.auth).toEqual({ method: 'token', token })
    const audit = await db().auditEvent.findFirstOrThrow({ where: { environmentId: envId, action: 'secret.store_update' } })
    expect(JSON.stringify(audit.summary)).not.toContain(token)
    await expect(callerFor(operator).secret.updateStore({ environmentId: envId, backend: 'EMBEDDED' })).rejects.toThrow(/Permission required: env:manage/)
  })
})
