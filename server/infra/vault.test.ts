// CONTRACT FIXTURE: Vault cannot run here (no package), so this drives the real node-vault client against a local HTTP server on 127.0.0.1 that answers as Vault's documented KV v2, token and AppRole endpoints do.
// Endpoints (https://developer.hashicorp.com/vault/api-docs): GET auth/token/lookup-self,
// POST auth/token/renew-self, POST auth/approle/login, GET/POST <mount>/data/<path>,
// GET <mount>/metadata/<path>?list=true, GET/POST/DELETE <mount>/metadata/<path>;
// errors as { errors: [...] } with 403 (permission denied), 404 (no such path), 503 (sealed).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SecretStoreUnavailableError } from './ports'
import { vaultSecretStore } from './vault'
import type { VaultSettings } from '@/server/modules/secret/secret.schema'

type Version = { value: string; created: string; deleted: boolean }
type Entry = { versions: Version[]; custom: Record<string, string> }

/** The fixture's state, reset per test. */
const vault = {
  sealed: false,
  tokens: new Map<string, { ttl: number; renewable: boolean; policy: 'full' | 'none' }>(),
  kv: new Map<string, Entry>(),
  requests: [] as Array<{ method: string; path: string; token?: string; namespace?: string }>,
  renewed: 0,
}

function answer(res: ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(body === undefined ? '' : JSON.stringify(body))
}

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url!, 'http://127.0.0.1')
  const path = url.pathname.replace(/^\/v1\//, '')
  const token = req.headers['x-vault-token'] as string | undefined
  vault.requests.push({ method: req.method!, path: `${path}${url.search}`, token, namespace: req.headers['x-vault-namespace'] as string | undefined })
  if (vault.sealed) return answer(res, 503, { errors: ['Vault is sealed'] })

  if (path === 'auth/approle/login' && req.method === 'POST') {
    const body = await bodyOf(req)
    if (body.role_id !== 'role-1' || body.secret_id !== 'secret-id-1') return answer(res, 400, { errors: ['invalid role or secret ID'] })
    vault.tokens.set('approle-token', { ttl: 3600, renewable: true, policy: 'full' })
    return answer(res, 200, { auth: { client_token: 'approle-token', lease_duration: 3600, renewable: true, policies: ['traider'] } })
  }
  const session = token ? vault.tokens.get(token) : undefined
  if (!session) return answer(res, 403, { errors: ['permission denied'] })
  if (path === 'auth/token/lookup-self' && req.method === 'GET') return answer(res, 200, { data: { ttl: session.ttl, renewable: session.renewable, policies: ['traider'] } })
  if (path === 'auth/token/renew-self' && req.method === 'POST') {
    vault.renewed++
    session.ttl = 86_400
    return answer(res, 200, { auth: { client_token: token, lease_duration: session.ttl, renewable: true } })
  }
  if (session.policy === 'none') return answer(res, 403, { errors: ['1 error occurred:\n\t* permission denied\n\n'] })

  const data = /^secret\/data\/(.+)$/.exec(path)
  const metadata = /^secret\/metadata\/(.+?)\/?$/.exec(path)
  if (data && req.method === 'GET') {
    const entry = vault.kv.get(data[1])
    const latest = entry?.versions.at(-1)
    if (!entry || !latest || latest.deleted) return answer(res, 404, { errors: [] })
    return answer(res, 200, { data: { data: { value: latest.value }, metadata: { version: entry.versions.length, created_time: latest.created, deletion_time: '', destroyed: false } } })
  }
  if (data && (req.method === 'POST' || req.method === 'PUT')) {
    const body = (await bodyOf(req)) as { data?: { value?: string } }
    const entry = vault.kv.get(data[1]) ?? { versions: [], custom: {} }
    entry.versions.push({ value: String(body.data?.value), created: new Date().toISOString(), deleted: false })
    vault.kv.set(data[1], entry)
    return answer(res, 200, { data: { version: entry.versions.length, created_time: entry.versions.at(-1)!.created, deletion_time: '', destroyed: false } })
  }
  // Vault parses ?list= with Go's strconv.ParseBool: 1, t, true, TRUE … (node-vault sends list=1).
  if (metadata && req.method === 'GET' && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(url.searchParams.get('list') ?? '')) {
    const prefix = `${metadata[1]}/`
    const keys = [...new Set([...vault.kv.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).map((k) => (k.includes('/') ? `${k.split('/')[0]}/` : k)))]
    if (keys.length === 0) return answer(res, 404, { errors: [] })
    return answer(res, 200, { data: { keys } })
  }
  if (metadata && req.method === 'GET') {
    const entry = vault.kv.get(metadata[1])
    if (!entry) return answer(res, 404, { errors: [] })
    const versions = Object.fromEntries(entry.versions.map((v, i) => [String(i + 1), { created_time: v.created, deletion_time: v.deleted ? v.created : '', destroyed: false }]))
    return answer(res, 200, { data: { current_version: entry.versions.length, updated_time: entry.versions.at(-1)!.created, custom_metadata: entry.custom, versions } })
  }
  if (metadata && req.method === 'POST') {
    const entry = vault.kv.get(metadata[1])
    if (!entry) return answer(res, 404, { errors: [] })
    entry.custom = ((await bodyOf(req)).custom_metadata as Record<string, string>) ?? {}
    return answer(res, 204)
  }
  if (metadata && req.method === 'DELETE') {
    vault.kv.delete(metadata[1])
    return answer(res, 204)
  }
  return answer(res, 404, { errors: [] })
}

let server: Server
let address: string
beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res).catch(() => answer(res, 500, { errors: ['fixture error'] })))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  vault.sealed = false
  vault.kv.clear()
  vault.requests.length = 0
  vault.renewed = 0
  vault.tokens.clear()
  vault.tokens.set('good-token', { ttl: 0, renewable: false, policy: 'full' })
  vault.tokens.set('short-token', { ttl: 120, renewable: true, policy: 'full' })
  vault.tokens.set('no-policy-token', { ttl: 0, renewable: false, policy: 'none' })
})

const settings = (over: Partial<VaultSettings> = {}): VaultSettings => ({
  address,
  mount: 'secret',
  pathPrefix: 'traider/production',
  auth: { method: 'token', token: 'good-token' },
  requestTimeoutMs: 2_000,
  ...over,
})
const by = { id: 'u1', label: 'ops@example.test' }

describe('Vault KV v2 store (node-vault against the contract fixture)', () => {
  it('writes versions, reads the latest, lists with metadata, deletes', async () => {
    const store = vaultSecretStore(settings({ namespace: 'trading' }))
    expect(await store.write('db-password', 'first-value', by)).toMatchObject({ name: 'db-password', version: 1, updatedBy: 'ops@example.test' })
    expect((await store.write('db-password', 'second-value', by)).version).toBe(2)
    await store.write('api-key', 'api-value', by)
    await store.write('traider/nested', 'in-a-folder', by)
    expect(await store.read('db-password')).toEqual({ name: 'db-password', version: 2, value: 'second-value' })
    expect((await store.read('traider/nested'))?.value).toBe('in-a-folder')
    const listed = await store.list()
    expect(listed.map((s) => [s.name, s.version, s.updatedBy])).toEqual([['api-key', 1, 'ops@example.test'], ['db-password', 2, 'ops@example.test'], ['traider/nested', 1, 'ops@example.test']])
    expect(listed[0].updatedAt).toBeInstanceOf(Date)
    await store.delete('api-key', by)
    expect(await store.read('api-key')).toBeNull()
    expect((await store.list()).map((s) => s.name)).toEqual(['db-password', 'traider/nested'])
    // Paths under the environment's prefix, the namespace header on every call, the token sent.
    expect(vault.kv.has('traider/production/db-password')).toBe(true)
    expect(vault.requests.every((r) => r.namespace === 'trading')).toBe(true)
    expect(vault.requests.some((r) => r.method === 'GET' && r.path === 'secret/metadata/traider/production?list=1')).toBe(true)
  })

  it('a missing secret (404) reads as null and an empty folder lists as nothing', async () => {
    const store = vaultSecretStore(settings())
    expect(await store.read('nope')).toBeNull()
    expect(await store.list()).toEqual([])
    expect(await store.check()).toMatchObject({ ok: true })
  })

  it('renews a renewable token close to expiry (lookup-self, then renew-self)', async () => {
    const store = vaultSecretStore(settings({ auth: { method: 'token', token: 'short-token' } }))
    await store.read('anything')
    expect(vault.renewed).toBe(1)
    expect(vault.requests.slice(0, 2).map((r) => r.path)).toEqual(['auth/token/lookup-self', 'auth/token/renew-self'])
    await store.read('anything')
    expect(vault.renewed).toBe(1) // authenticated once per store object
  })

  it('logs in with AppRole and uses the token it returns; a wrong secret_id says what to do', async () => {
    const store = vaultSecretStore(settings({ auth: { method: 'approle', roleId: 'role-1', secretId: 'secret-id-1', mountPath: 'approle' } }))
    await store.write('from-approle', 'v', by)
    expect(vault.requests.filter((r) => r.path.startsWith('secret/')).every((r) => r.token === 'approle-token')).toBe(true)

    const wrong = vaultSecretStore(settings({ auth: { method: 'approle', roleId: 'role-1', secretId: 'wrong', mountPath: 'approle' } }))
    await expect(wrong.read('x')).rejects.toThrow(/refused the AppRole login \(400\).*check the role_id and secret_id/)
    const health = await wrong.check()
    expect(health.ok).toBe(false)
    expect(health.detail).not.toContain('wrong')
  })

  it('403: names the path and the policy to grant, never the token', async () => {
    const store = vaultSecretStore(settings({ auth: { method: 'token', token: 'no-policy-token' } }))
    const error = (await store.read('db-password').catch((e: unknown) => e)) as Error
    expect(error).toBeInstanceOf(SecretStoreUnavailableError)
    expect(error.message).toMatch(/refused the credentials \(403\) while reading secret\/data\/traider\/production\/db-password: check that the token is valid and its policy allows read/)
    expect(error.message).not.toContain('no-policy-token')
    const bad = vaultSecretStore(settings({ auth: { method: 'token', token: 'revoked' } }))
    expect((await bad.check()).detail).toMatch(/refused the credentials \(403\) while checking the token/)
  })

  it('sealed (503): says to unseal', async () => {
    vault.sealed = true
    const store = vaultSecretStore(settings())
    await expect(store.read('db-password')).rejects.toThrow(/is sealed \(503\).*unseal it \(vault operator unseal\)/)
    expect(await store.check()).toMatchObject({ ok: false, detail: expect.stringContaining('sealed') })
  })

  it('unreachable: says to check the address', async () => {
    const store = vaultSecretStore(settings({ address: 'http://127.0.0.1:9' }))
    const health = await store.check()
    expect(health.ok).toBe(false)
    expect(health.detail).toMatch(/could not be reached .*ECONNREFUSED.*check the address/)
  })
})
