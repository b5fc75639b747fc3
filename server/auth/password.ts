// Password hashing (argon2id, OWASP parameters) and the password rules a person sees.
import { hash, verify } from '@node-rs/argon2'
import { randomBytes } from 'node:crypto'
import { z } from 'zod'

// Algorithm 2 = argon2id; 19 MiB, 2 passes, 1 lane: OWASP's minimum recommendation.
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export const passwordSchema = z
  .string()
  .min(12, 'Use at least 12 characters.')
  .max(256, 'Use at most 256 characters.')
  .refine((p) => /[a-zA-Z]/.test(p) && /[^a-zA-Z]/.test(p), 'Mix letters with digits or symbols.')

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS)
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password)
  } catch {
    return false // malformed hash: treat as a mismatch, never as a crash
  }
}

// A hash of a random password, checked when the e-mail is unknown so that a wrong e-mail
// and a wrong password take the same time.
let dummyHash: Promise<string> | undefined
export function timingSafeDummyVerify(password: string): Promise<boolean> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'))
  return dummyHash.then((h) => verifyPassword(h, password)).then(() => false)
}

/** A one-time password people can type: 20 characters from an unambiguous alphabet. */
export function generateOneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  const bytes = randomBytes(20)
  let out = ''
  for (const b of bytes) out += alphabet[b % alphabet.length]
  // Guarantee the letters+digits rule whatever the random draw gave.
  return out.slice(0, 18) + 'a7'
}
