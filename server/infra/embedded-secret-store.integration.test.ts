// The embedded SecretStore and master-key rotation against the real Postgres of this test run.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/server/db'
import { currentMasterKey, masterKeyFrom, openText, sealedKeyId, SealedValueError } from '@/server/crypto/envelope'
import { rotateMasterKey } from '@/server/crypto/rotate-master-key'
import { SEALED_COLUMNS } from '@/server/crypto/sealed-columns'
import { unique } from '@/test/factories'
import { embeddedSecretContext, embeddedSecretStore } from './embedded-secret-store'

const run = promisify(execFile)
const by = { id: null, label: 'secret-test' }

async function makeEnvironment() {
  const slug = unique('sec')
  return db().environment.create({ data: { name: `Secrets ${slug}`, slug, tier: 'DEVELOPMENT', dockerEndpoint: 'unix:///var/run/docker.sock' } })
}

describe('embedded secret store (Postgres)', () => {
  let environmentId: string
  beforeAll(async () => {
    environmentId = (await makeEnvironment()).id
  })

  it('round-trips a value, keeps versions, and stores only ciphertext', async () => {
    const store = embeddedSecretStore(db(), environmentId)
    const value = `pw-${randomBytes(12).toString('hex')}`
    const first = await store.write('db-password', value, by)
    expect(first).toMatchObject({ name: 'db-password', version: 1, updatedBy: 'secret-test' })
    expect(await store.read('db-password')).toEqual({ name: 'db-password', version: 1, value })

    const second = await store.write('db-password', `${value}-2`, by)
    expect(second.version).toBe(2)
    expect((await store.read('db-password'))?.value).toBe(`${value}-2`)
    expect(await store.list()).toEqual([expect.objectContaining({ name: 'db-password', version: 2 })])

    const rows = await db().secretValue.findMany({ where: { environmentId }, orderBy: { version: 'asc' } })
    expect(rows.map((r) => r.version)).toEqual([1, 2])
    for (const row of rows) expect(row.sealedValue).not.toContain(value)
    // Version 1 is still there and opens under its own context.
    expect(openText(rows[0].sealedValue!, embeddedSecretContext(environmentId, 'db-password', 1))).toBe(value)
  })

  it('refuses tampered ciphertext loudly, naming the secret', async () => {
    const store = embeddedSecretStore(db(), environmentId)
    await store.write('api-key', 'original-value-123', by)
    const row = await db().secretValue.findFirstOrThrow({ where: { environmentId, name: 'api-key' } })
    const parts = row.sealedValue!.split('.')
    const body = Buffer.from(parts[3], 'base64url')
    body[body.length - 20] ^= 0x01
    parts[3] = body.toString('base64url')
    await db().secretValue.update({ where: { id: row.id }, data: { sealedValue: parts.join('.') } })
    await expect(store.read('api-key')).rejects.toThrow(SealedValueError)
    await expect(store.read('api-key')).rejects.toThrow(/Secret "api-key" \(version 1\) does not decrypt/)
  })

  it('refuses a ciphertext moved to another row (context binding)', async () => {
    const store = embeddedSecretStore(db(), environmentId)
    await store.write('a-secret', 'value-of-a', by)
    await store.write('b-secret', 'value-of-b', by)
    const a = await db().secretValue.findFirstOrThrow({ where: { environmentId, name: 'a-secret' } })
    await db().secretValue.updateMany({ where: { environmentId, name: 'b-secret' }, data: { sealedValue: a.sealedValue } })
    await expect(store.read('b-secret')).rejects.toThrow(SealedValueError)
  })

  it('deletes with a tombstone: not listed, not readable, version numbers continue', async () => {
    const store = embeddedSecretStore(db(), environmentId)
    await store.write('temp', 'temp-value-1', by)
    await store.delete('temp', by)
    expect(await store.read('temp')).toBeNull()
    expect((await store.list()).map((s) => s.name)).not.toContain('temp')
    const rows = await db().secretValue.findMany({ where: { environmentId, name: 'temp' } })
    expect(rows.every((r) => r.sealedValue === null)).toBe(true)
    expect((await store.write('temp', 'again', by)).version).toBe(3)
    expect(await store.check()).toMatchObject({ ok: true })
  })

  it('keeps environments apart', async () => {
    const other = embeddedSecretStore(db(), (await makeEnvironment()).id)
    expect(await other.read('db-password')).toBeNull()
    expect(await other.list()).toEqual([])
  })
})

describe('master key rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'traider-rotate-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('lists the secret store columns', () => {
    expect(SEALED_COLUMNS).toEqual(expect.arrayContaining([
      { table: 'SecretValue', id: 'id', column: 'sealedValue' },
      { table: 'SecretStoreConfig', id: 'environmentId', column: 'vaultSealed' },
    ]))
  })

  it('re-wraps every sealed value in one transaction, is idempotent, and refuses unknown keys without changing anything', async () => {
    const environmentId = (await makeEnvironment()).id
    const store = embeddedSecretStore(db(), environmentId)
    await store.write('rotated', 'value-before-rotation', by)
    const old = currentMasterKey()
    const next = masterKeyFrom(randomBytes(32))

    const report = await rotateMasterKey(db(), [old], next)
    expect(report.find((r) => r.table === 'SecretValue')!.rewrapped).toBeGreaterThanOrEqual(1)
    const row = await db().secretValue.findFirstOrThrow({ where: { environmentId, name: 'rotated' } })
    expect(sealedKeyId(row.sealedValue!)).toBe(next.id)
    expect(openText(row.sealedValue!, embeddedSecretContext(environmentId, 'rotated', 1), [next])).toBe('value-before-rotation')

    const again = await rotateMasterKey(db(), [old], next)
    expect(again.every((r) => r.rewrapped === 0)).toBe(true)

    // A key that opens nothing: the whole rotation rolls back.
    const stranger = masterKeyFrom(randomBytes(32))
    await expect(rotateMasterKey(db(), [stranger], masterKeyFrom(randomBytes(32)))).rejects.toThrow(SealedValueError)
    expect(sealedKeyId((await db().secretValue.findFirstOrThrow({ where: { id: row.id } })).sealedValue!)).toBe(next.id)

    // Back to the configured key, so later tests in this run read their values.
    await rotateMasterKey(db(), [next], old)
    expect(await store.read('rotated')).toMatchObject({ value: 'value-before-rotation' })
  })

  it('the npm command rotates and tells the operator what to switch', async () => {
    const environmentId = (await makeEnvironment()).id
    const store = embeddedSecretStore(db(), environmentId)
    await store.write('cli-rotated', 'value-cli', by)
    const old = currentMasterKey()
    const newKey = randomBytes(32).toString('base64')
    const newFile = join(dir, 'new.key')
    const oldFile = join(dir, 'old.key')
    writeFileSync(newFile, `${newKey}\n`, { mode: 0o600 })
    writeFileSync(oldFile, old.key.toString('base64'), { mode: 0o600 })
    const env = { ...process.env }
    delete env.SECRETS_MASTER_KEY
    delete env.SECRETS_MASTER_KEY_FILE
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx')
    const first = await run(tsx, ['scripts/rotate-master-key.ts', '--old-key-file', oldFile, '--new-key-file', newFile], { env })
    expect(first.stdout).toMatch(/SecretValue\.sealedValue: [1-9]\d* re-wrapped/)
    expect(first.stdout).toContain(`set SECRETS_MASTER_KEY_FILE=${newFile}`)
    const second = await run(tsx, ['scripts/rotate-master-key.ts', '--old-key-file', oldFile, '--new-key-file', newFile], { env })
    expect(second.stdout).toMatch(/SecretValue\.sealedValue: 0 re-wrapped/)
    const row = await db().secretValue.findFirstOrThrow({ where: { environmentId, name: 'cli-rotated' } })
    expect(sealedKeyId(row.sealedValue!)).toBe(masterKeyFrom(Buffer.from(newKey, 'base64')).id)
    // Back again through the command.
    await run(tsx, ['scripts/rotate-master-key.ts', '--old-key-file', newFile, '--new-key-file', oldFile], { env })
    expect((await store.read('cli-rotated'))?.value).toBe('value-cli')
  })
})
