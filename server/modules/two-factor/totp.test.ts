// TOTP against the RFC 6238 appendix B test vectors, the ±1 step window, replay refusal, and
// a cross-check with an independent implementation (the otpauth package).
import { describe, expect, it } from 'vitest'
import * as OTPAuth from 'otpauth'
import { base32Decode, base32Encode, checkTotp, generateRecoveryCodes, generateTotpSecret, hashRecoveryCode, hotp, looksLikeRecoveryCode, otpauthUri, totpAt, totpStep } from './totp'

// RFC 6238 appendix B: the seeds are ASCII "1234567890" repeated to the hash's key length.
const SEED_SHA1 = Buffer.from('12345678901234567890')
const SEED_SHA256 = Buffer.from('12345678901234567890123456789012')
const SEED_SHA512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234')

describe('RFC 6238 test vectors (8 digits)', () => {
  it.each([
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ])('T=%i s', (seconds, sha1, sha256, sha512) => {
    expect(totpAt(SEED_SHA1, seconds * 1000, 8, 'sha1')).toBe(sha1)
    expect(totpAt(SEED_SHA256, seconds * 1000, 8, 'sha256')).toBe(sha256)
    expect(totpAt(SEED_SHA512, seconds * 1000, 8, 'sha512')).toBe(sha512)
  })

  it('RFC 4226 appendix D HOTP values (6 digits)', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']
    expect(expected.map((_, i) => hotp(SEED_SHA1, BigInt(i)))).toEqual(expected)
  })
})

describe('checkTotp', () => {
  const secret = generateTotpSecret()
  const now = 1_800_000_015_000

  it('accepts the current code and one step either side, not two', () => {
    expect(checkTotp(secret, totpAt(secret, now), now, null)).toEqual({ ok: true, step: totpStep(now) })
    expect(checkTotp(secret, totpAt(secret, now - 30_000), now, null)).toMatchObject({ ok: true })
    expect(checkTotp(secret, totpAt(secret, now + 30_000), now, null)).toMatchObject({ ok: true })
    expect(checkTotp(secret, totpAt(secret, now - 60_000), now, null)).toEqual({ ok: false, why: 'wrong' })
    expect(checkTotp(secret, totpAt(secret, now + 60_000), now, null)).toEqual({ ok: false, why: 'wrong' })
  })

  it('refuses a code whose step was already used, and earlier steps too', () => {
    const step = totpStep(now)
    expect(checkTotp(secret, totpAt(secret, now), now, step)).toEqual({ ok: false, why: 'replayed' })
    expect(checkTotp(secret, totpAt(secret, now - 30_000), now, step)).toEqual({ ok: false, why: 'replayed' })
    expect(checkTotp(secret, totpAt(secret, now + 30_000), now, step)).toMatchObject({ ok: true, step: step + 1n })
  })

  it('refuses malformed input without comparing', () => {
    expect(checkTotp(secret, '12345', now, null)).toEqual({ ok: false, why: 'format' })
    expect(checkTotp(secret, 'abcdef', now, null)).toEqual({ ok: false, why: 'format' })
    expect(checkTotp(secret, ` ${totpAt(secret, now).slice(0, 3)} ${totpAt(secret, now).slice(3)} `, now, null)).toMatchObject({ ok: true })
  })

  it('agrees with an independent implementation (otpauth) through the otpauth:// URI', () => {
    const uri = otpauthUri(base32Encode(secret), 'ops@example.test')
    const parsed = OTPAuth.URI.parse(uri) as OTPAuth.TOTP
    expect(parsed.issuer).toBe('TRAIDER Control Plane')
    expect(parsed.label).toBe('ops@example.test')
    for (const t of [now, now + 30_000, 1_000_000_000_000]) expect(parsed.generate({ timestamp: t })).toBe(totpAt(secret, t))
  })
})

describe('base32 and recovery codes', () => {
  it('round-trips base32 (RFC 4648 vector)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI')
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar')
    const random = generateTotpSecret()
    expect(base32Decode(base32Encode(random)).equals(random)).toBe(true)
  })

  it('makes 10 distinct recovery codes, hashed independent of case and dashes', () => {
    const codes = generateRecoveryCodes()
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const c of codes) {
      expect(c).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/)
      expect(looksLikeRecoveryCode(c)).toBe(true)
    }
    expect(hashRecoveryCode(codes[0])).toBe(hashRecoveryCode(codes[0].toUpperCase().replace('-', ' ')))
    expect(hashRecoveryCode(codes[0])).not.toBe(hashRecoveryCode(codes[1]))
    expect(looksLikeRecoveryCode('123456')).toBe(false)
  })
})
