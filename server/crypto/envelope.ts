// Envelope encryption for everything the control plane must keep secret at rest (embedded
// secret store values, TOTP seeds, webhook signing keys, Vault credentials).
//
// A value is encrypted with its own random 256-bit data key (AES-256-GCM); the data key is
// encrypted ("wrapped") with the master key (AES-256-GCM). Both carry authentication tags, so a
// changed byte anywhere fails loudly instead of decrypting to garbage. The value's ciphertext is
// bound to a caller-given context (e.g. "secret:<environment id>:<name>:<version>") as
// additional authenticated data: a sealed value copied into another row does not open there.
// Rotating the master key only re-wraps data keys (`rewrap`): values are never re-encrypted and
// the context is not needed for it.
//
// Sealed text: v1.<master key id>.<wrapped data key>.<value ciphertext>, base64url parts,
// where each ciphertext part is iv (12 bytes) ‖ ciphertext ‖ tag (16 bytes).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { DomainError } from '@/server/errors'
import { env } from '@/server/env'

const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16
const KEY_BYTES = 32
const WRAP_AAD = Buffer.from('traider:data-key:v1')

export type MasterKey = { /** First 16 hex digits of SHA-256(key): names the key without revealing it. */ id: string; key: Buffer }

/** Thrown when a sealed value does not open: altered, truncated, or sealed under another key. */
export class SealedValueError extends DomainError {
  constructor(message: string) {
    super('PRECONDITION_FAILED', message)
    this.name = 'SealedValueError'
  }
}

export function masterKeyFrom(material: Buffer): MasterKey {
  if (material.length !== KEY_BYTES) {
    throw new DomainError('INVALID', `A master key must be exactly ${KEY_BYTES} bytes (base64 of 32 random bytes: \`openssl rand -base64 32\`); this one has ${material.length}.`)
  }
  return { id: createHash('sha256').update(material).digest('hex').slice(0, 16), key: Buffer.from(material) }
}

/** Parses base64 key text (as written by `openssl rand -base64 32`). */
export function masterKeyFromText(text: string): MasterKey {
  const trimmed = text.trim()
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new DomainError('INVALID', 'A master key must be base64 text (`openssl rand -base64 32`).')
  }
  return masterKeyFrom(Buffer.from(trimmed, 'base64'))
}

// Used only outside production when neither SECRETS_MASTER_KEY nor SECRETS_MASTER_KEY_FILE is
// set, so a developer's first start works; env() refuses production without a real key.
const DEVELOPMENT_KEY = createHash('sha256').update('traider-development-master-key-do-not-use-in-production').digest()

let cachedKey: MasterKey | undefined

/** The master key from SECRETS_MASTER_KEY or SECRETS_MASTER_KEY_FILE (read once). */
export function currentMasterKey(): MasterKey {
  if (cachedKey) return cachedKey
  const { SECRETS_MASTER_KEY, SECRETS_MASTER_KEY_FILE, NODE_ENV } = env()
  if (SECRETS_MASTER_KEY) cachedKey = masterKeyFromText(SECRETS_MASTER_KEY)
  else if (SECRETS_MASTER_KEY_FILE) {
    let text: string
    try {
      text = readFileSync(SECRETS_MASTER_KEY_FILE, 'utf8')
    } catch (error) {
      throw new DomainError('UNAVAILABLE', `SECRETS_MASTER_KEY_FILE ${SECRETS_MASTER_KEY_FILE} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): check the path and that this process may read it.`)
    }
    cachedKey = masterKeyFromText(text)
  } else if (NODE_ENV !== 'production') cachedKey = masterKeyFrom(DEVELOPMENT_KEY)
  else throw new DomainError('UNAVAILABLE', 'No master key: set SECRETS_MASTER_KEY (openssl rand -base64 32) or SECRETS_MASTER_KEY_FILE in .env.')
  return cachedKey
}

/** Tests change the key between cases; production code never calls this. */
export function resetMasterKeyForTests() {
  cachedKey = undefined
}

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(aad)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([iv, body, cipher.getAuthTag()])
}

function decrypt(key: Buffer, blob: Buffer, aad: Buffer): Buffer | undefined {
  if (blob.length < IV_BYTES + TAG_BYTES) return undefined
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES })
  decipher.setAAD(aad)
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES))
  try {
    return Buffer.concat([decipher.update(blob.subarray(IV_BYTES, blob.length - TAG_BYTES)), decipher.final()])
  } catch {
    return undefined
  }
}

type Parts = { keyId: string; wrapped: Buffer; body: Buffer }

function parse(sealed: string): Parts {
  const parts = sealed.split('.')
  if (parts.length !== 4 || parts[0] !== VERSION || !/^[0-9a-f]{16}$/.test(parts[1])) {
    throw new SealedValueError('A stored encrypted value is malformed (not a v1 sealed value): it was altered or truncated. Nothing was decrypted; set the value again.')
  }
  return { keyId: parts[1], wrapped: Buffer.from(parts[2], 'base64url'), body: Buffer.from(parts[3], 'base64url') }
}

function unwrap(parts: Parts, keys: readonly MasterKey[]): Buffer {
  const master = keys.find((k) => k.id === parts.keyId)
  if (!master) {
    throw new SealedValueError(`A stored value was sealed with master key ${parts.keyId}, which is not configured (configured: ${keys.map((k) => k.id).join(', ') || 'none'}). Restore the previous SECRETS_MASTER_KEY or finish the key rotation.`)
  }
  const dataKey = decrypt(master.key, parts.wrapped, WRAP_AAD)
  if (!dataKey || dataKey.length !== KEY_BYTES) {
    throw new SealedValueError(`A stored value's data key failed its integrity check under master key ${parts.keyId}: the ciphertext was altered. Nothing was decrypted; set the value again.`)
  }
  return dataKey
}

/** Encrypts `plaintext` for storage; `context` names where it is stored and must match on open. */
export function seal(plaintext: string | Buffer, context: string, master: MasterKey = currentMasterKey()): string {
  const dataKey = randomBytes(KEY_BYTES)
  const wrapped = encrypt(master.key, dataKey, WRAP_AAD)
  const body = encrypt(dataKey, Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, 'utf8'), Buffer.from(context, 'utf8'))
  dataKey.fill(0)
  return [VERSION, master.id, wrapped.toString('base64url'), body.toString('base64url')].join('.')
}

/** Decrypts a sealed value; throws SealedValueError when anything was altered or the context differs. */
export function open(sealed: string, context: string, keys: readonly MasterKey[] = [currentMasterKey()]): Buffer {
  const parts = parse(sealed)
  const dataKey = unwrap(parts, keys)
  const plaintext = decrypt(dataKey, parts.body, Buffer.from(context, 'utf8'))
  dataKey.fill(0)
  if (!plaintext) {
    throw new SealedValueError('A stored encrypted value failed its integrity check: it was altered or belongs to another record. Nothing was decrypted; set the value again.')
  }
  return plaintext
}

export function openText(sealed: string, context: string, keys?: readonly MasterKey[]): string {
  return open(sealed, context, keys).toString('utf8')
}

/** Re-wraps the data key under `to` (master key rotation); the value itself is untouched. */
export function rewrap(sealed: string, from: readonly MasterKey[], to: MasterKey): string {
  const parts = parse(sealed)
  if (parts.keyId === to.id) return sealed
  const dataKey = unwrap(parts, from)
  const wrapped = encrypt(to.key, dataKey, WRAP_AAD)
  dataKey.fill(0)
  return [VERSION, to.id, wrapped.toString('base64url'), parts.body.toString('base64url')].join('.')
}

/** The id of the master key a sealed value is wrapped under (for rotation progress). */
export function sealedKeyId(sealed: string): string {
  return parse(sealed).keyId
}
