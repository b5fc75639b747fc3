// Unit tests for configuration parsing: defaults work out of the box, and bad values give
// one message naming each variable.
import { readFileSync } from 'node:fs'
import { parse } from 'dotenv'
import { afterEach, describe, expect, it } from 'vitest'
import { env, resetEnvForTests } from './env'

const saved = { ...process.env }
afterEach(() => {
  process.env = { ...saved }
  resetEnvForTests()
})

describe('env()', () => {
  it('has working defaults for a fresh machine', () => {
    for (const k of ['DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'ALLOWED_CIDRS', 'TRUST_PROXY', 'SESSION_MAX_AGE_HOURS']) delete process.env[k]
    resetEnvForTests()
    expect(env()).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: 'traider', ALLOWED_CIDRS: [], TRUST_PROXY: false, SESSION_MAX_AGE_HOURS: 8 })
  })

  it('lists every bad variable with what to do', () => {
    process.env.REDIS_URL = 'localhost'
    process.env.SESSION_MAX_AGE_HOURS = '24'
    resetEnvForTests()
    expect(() => env()).toThrow(/REDIS_URL: REDIS_URL must be a redis:\/\/ URL[\s\S]*SESSION_MAX_AGE_HOURS: SESSION_MAX_AGE_HOURS may be at most 8/)
  })

  it('requires NEXTAUTH_SECRET in production', () => {
    Object.assign(process.env, { NODE_ENV: 'production' })
    delete process.env.NEXTAUTH_SECRET
    resetEnvForTests()
    expect(() => env()).toThrow('NEXTAUTH_SECRET is required in production')
  })

  it('treats empty values as unset, as .env.example leaves them', () => {
    process.env.ADMIN_PASSWORD = ''
    process.env.NEXTAUTH_SECRET = ''
    resetEnvForTests()
    expect(env().ADMIN_PASSWORD).toBeUndefined()
    expect(env().NEXTAUTH_SECRET).toBeUndefined()
  })

  it('accepts .env.example exactly as shipped (npm run up copies it)', () => {
    const example = parse(readFileSync('.env.example', 'utf8'))
    process.env = { ...example, NEXTAUTH_SECRET: 'x'.repeat(44) } as NodeJS.ProcessEnv
    resetEnvForTests()
    expect(() => env()).not.toThrow()
    expect(env().ADMIN_EMAIL).toBe('admin@traider.local')
  })

  it('parses the allowlist and booleans', () => {
    process.env.ALLOWED_CIDRS = ' 10.0.0.0/8, ::1/128 ,'
    process.env.TRUST_PROXY = 'true'
    resetEnvForTests()
    expect(env()).toMatchObject({ ALLOWED_CIDRS: ['10.0.0.0/8', '::1/128'], TRUST_PROXY: true })
  })
})
