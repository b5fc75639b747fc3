import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { resetEnvForTests } from '@/server/env'
import { currentMasterKey, masterKeyFrom, masterKeyFromText, open, openText, resetMasterKeyForTests, rewrap, seal, SealedValueError, sealedKeyId } from './envelope'

const keyA = masterKeyFrom(randomBytes(32))
const keyB = masterKeyFrom(randomBytes(32))

/** Flips one bit of one base64url part (index 2 = wrapped data key, 3 = value ciphertext). */
function flipBit(sealed: string, part: 2 | 3, byteIndex: number): string {
  const parts = sealed.split('.')
  const bytes = Buffer.from(parts[part], 'base64url')
  bytes[byteIndex] ^= 0x01
  parts[part] = bytes.toString('base64url')
  return parts.join('.')
}

describe('envelope encryption', () => {
  it('round-trips text and bytes under the same context', () => {
    const sealed = seal('s3cr3t value ✓', 'secret:env1:db-password:1', keyA)
    expect(openText(sealed, 'secret:env1:db-password:1', [keyA])).toBe('s3cr3t value ✓')
    const bytes = randomBytes(1000)
    expect(open(seal(bytes, 'ctx', keyA), 'ctx', [keyA]).equals(bytes)).toBe(true)
  })

  it('never contains the plaintext and differs on every seal (fresh data key and IVs)', () => {
    const a = seal('hunter2-hunter2', 'ctx', keyA)
    const b = seal('hunter2-hunter2', 'ctx', keyA)
    expect(a).not.toBe(b)
    expect(a).not.toContain('hunter2')
    expect(Buffer.from(a.split('.')[3], 'base64url').toString('latin1')).not.toContain('hunter2')
    expect(sealedKeyId(a)).toBe(keyA.id)
  })

  it('refuses to open under another context (a value copied into another row)', () => {
    const sealed = seal('value', 'secret:env1:a:1', keyA)
    expect(() => open(sealed, 'secret:env1:b:1', [keyA])).toThrow(SealedValueError)
  })

  it.each([
    ['the wrapped data key', 2 as const, 0],
    ['the wrapped data key tag', 2 as const, 59],
    ['the value ciphertext', 3 as const, 14],
    ['the value IV', 3 as const, 0],
  ])('fails loudly when one bit of %s changes', (_what, part, index) => {
    const sealed = seal('value', 'ctx', keyA)
    expect(() => open(flipBit(sealed, part, index), 'ctx', [keyA])).toThrow(/integrity check/)
  })

  it('fails loudly on truncation and malformed text', () => {
    const sealed = seal('value', 'ctx', keyA)
    expect(() => open(sealed.slice(0, -6), 'ctx', [keyA])).toThrow(SealedValueError)
    expect(() => open('not-sealed', 'ctx', [keyA])).toThrow(/malformed/)
    expect(() => open(`v2${sealed.slice(2)}`, 'ctx', [keyA])).toThrow(/malformed/)
  })

  it('names the missing master key instead of decrypting garbage', () => {
    const sealed = seal('value', 'ctx', keyA)
    expect(() => open(sealed, 'ctx', [keyB])).toThrow(new RegExp(`sealed with master key ${keyA.id}, which is not configured`))
  })

  it('rewraps under a new master key without the context; the value still opens only in its context', () => {
    const sealed = seal('rotate me', 'secret:x:1', keyA)
    const rotated = rewrap(sealed, [keyA], keyB)
    expect(sealedKeyId(rotated)).toBe(keyB.id)
    expect(rotated.split('.')[3]).toBe(sealed.split('.')[3])
    expect(openText(rotated, 'secret:x:1', [keyB])).toBe('rotate me')
    expect(() => open(rotated, 'secret:x:1', [keyA])).toThrow(SealedValueError)
    expect(() => open(rotated, 'secret:y:1', [keyB])).toThrow(SealedValueError)
    expect(rewrap(rotated, [keyB], keyB)).toBe(rotated)
  })

  it('accepts only 32-byte base64 keys, with a message saying how to make one', () => {
    expect(() => masterKeyFromText(randomBytes(16).toString('base64'))).toThrow(/exactly 32 bytes.*openssl rand -base64 32/)
    expect(() => masterKeyFromText('not base64!')).toThrow(/base64/)
    expect(masterKeyFromText(` ${keyA.key.toString('base64')}\n`).id).toBe(keyA.id)
  })
})

describe('the configured master key', () => {
  const saved = { ...process.env }
  afterEach(() => {
    process.env = { ...saved }
    resetEnvForTests()
    resetMasterKeyForTests()
  })
  const configure = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    resetEnvForTests()
    resetMasterKeyForTests()
  }

  it('reads SECRETS_MASTER_KEY', () => {
    configure({ SECRETS_MASTER_KEY: keyB.key.toString('base64'), SECRETS_MASTER_KEY_FILE: undefined })
    expect(currentMasterKey().id).toBe(keyB.id)
  })

  it('reads SECRETS_MASTER_KEY_FILE, and names an unreadable file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'traider-key-')), 'master.key')
    writeFileSync(file, `${keyA.key.toString('base64')}\n`, { mode: 0o600 })
    configure({ SECRETS_MASTER_KEY: undefined, SECRETS_MASTER_KEY_FILE: file })
    expect(currentMasterKey().id).toBe(keyA.id)
    configure({ SECRETS_MASTER_KEY: undefined, SECRETS_MASTER_KEY_FILE: `${file}.missing` })
    expect(() => currentMasterKey()).toThrow(/SECRETS_MASTER_KEY_FILE .*master\.key\.missing cannot be read \(ENOENT\)/)
  })

  it('is required in production', () => {
    configure({ NODE_ENV: 'production', NEXTAUTH_SECRET: 'x'.repeat(40), SECRETS_MASTER_KEY: undefined, SECRETS_MASTER_KEY_FILE: undefined })
    expect(() => currentMasterKey()).toThrow(/SECRETS_MASTER_KEY .*required in production/)
  })
})
