// TOTP (RFC 6238 over RFC 4226 HOTP) with node:crypto: HMAC-SHA-1, 6 digits, 30-second
// steps, one step of clock drift either way. Pure functions; the service stores the seed
// sealed and the last accepted step so a code is never accepted twice.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export const TOTP_STEP_SECONDS = 30
export const TOTP_DIGITS = 6
/** Steps of drift accepted on either side of now. */
export const TOTP_WINDOW = 1
const ISSUER = 'TRAIDER Control Plane'

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

export function base32Encode(bytes: Buffer): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase()
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const char of clean) {
    const index = BASE32.indexOf(char)
    if (index < 0) throw new Error(`Not base32: ${JSON.stringify(char)}`)
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

/** A new 160-bit seed (RFC 4226 recommends the HMAC's output length). */
export function generateTotpSecret(): Buffer {
  return randomBytes(20)
}

export type HashAlgorithm = 'sha1' | 'sha256' | 'sha512'

/** RFC 4226 HOTP value for one counter. */
export function hotp(secret: Buffer, counter: bigint, digits = TOTP_DIGITS, algorithm: HashAlgorithm = 'sha1'): string {
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(counter)
  const mac = createHmac(algorithm, secret).update(message).digest()
  const offset = mac[mac.length - 1] & 0x0f
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3]
  return String(binary % 10 ** digits).padStart(digits, '0')
}

export function totpStep(timeMs: number): bigint {
  return BigInt(Math.floor(timeMs / 1000 / TOTP_STEP_SECONDS))
}

export function totpAt(secret: Buffer, timeMs: number, digits = TOTP_DIGITS, algorithm: HashAlgorithm = 'sha1'): string {
  return hotp(secret, totpStep(timeMs), digits, algorithm)
}

export type TotpCheck = { ok: true; step: bigint } | { ok: false; why: 'format' | 'wrong' | 'replayed' }

/**
 * Checks a code against now ±1 step. A code whose step is at or before `lastUsedStep` is
 * refused as replayed, even if it is still within the window.
 */
export function checkTotp(secret: Buffer, code: string, nowMs: number, lastUsedStep: bigint | null): TotpCheck {
  const given = code.replace(/\s/g, '')
  if (!/^\d{6}$/.test(given)) return { ok: false, why: 'format' }
  const now = totpStep(nowMs)
  let matched: bigint | null = null
  for (let drift = -TOTP_WINDOW; drift <= TOTP_WINDOW; drift++) {
    const step = now + BigInt(drift)
    if (timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(given))) matched = step
  }
  if (matched === null) return { ok: false, why: 'wrong' }
  if (lastUsedStep !== null && matched <= lastUsedStep) return { ok: false, why: 'replayed' }
  return { ok: true, step: matched }
}

/** The otpauth:// URI authenticator apps read from the QR code (Key Uri Format). */
export function otpauthUri(secretBase32: string, account: string): string {
  const label = encodeURIComponent(`${ISSUER}:${account}`)
  // %20, not URLSearchParams' "+": authenticator apps show "+" literally.
  const params = { secret: secretBase32, issuer: ISSUER, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) }
  return `otpauth://totp/${label}?${Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`
}

// ─── Recovery codes ──────────────────────────────────────────────────────────────────────

export const RECOVERY_CODE_COUNT = 10

/** "abcde-fghij": 10 base32 characters, 50 random bits. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const text = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase()
    return `${text.slice(0, 5)}-${text.slice(5)}`
  })
}

export function normaliseRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase()
}

export function looksLikeRecoveryCode(code: string): boolean {
  return /^[a-z2-7]{10}$/.test(normaliseRecoveryCode(code))
}

/** Recovery codes are random, so a fast hash suffices (no dictionary to guess from). */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(`traider-recovery:${normaliseRecoveryCode(code)}`).digest('hex')
}
