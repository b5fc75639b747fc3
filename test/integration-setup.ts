// Vitest global setup for integration tests: a fresh PostgreSQL database per run, migrated
// with `prisma migrate deploy` exactly as production does, and a unique Redis key prefix.
// Both are removed afterwards (set KEEP_TEST_DB=1 to keep the database for debugging).
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { deleteRedisPrefix } from './redis-cleanup'

const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export default async function setup(project: TestProject) {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const dbName = `traider_it_${suffix}`
  const admin = new pg.Client({ connectionString: ADMIN_URL })
  try {
    await admin.connect()
  } catch (error) {
    throw new Error(`Integration tests need PostgreSQL at ${ADMIN_URL} (set TEST_ADMIN_DATABASE_URL): ${(error as Error).message}`)
  }
  await admin.query(`CREATE DATABASE "${dbName}"`)
  const url = new URL(ADMIN_URL)
  url.pathname = `/${dbName}`
  const databaseUrl = url.toString()
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const redisPrefix = `traider-it-${suffix}`
  project.provide('databaseUrl', databaseUrl)
  project.provide('redisPrefix', redisPrefix)
  project.provide('redisUrl', REDIS_URL)

  return async () => {
    if (!process.env.KEEP_TEST_DB) await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
    await admin.end()
    await deleteRedisPrefix(REDIS_URL, redisPrefix)
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    redisPrefix: string
    redisUrl: string
  }
}
