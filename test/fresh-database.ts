// A throwaway, migrated database for tests that need an empty one (first-start behaviour).
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '@/generated/prisma/client'
import { env } from '@/server/env'

export async function freshDatabase() {
  const name = `traider_fresh_${randomBytes(4).toString('hex')}`
  const adminUrl = new URL(env().DATABASE_URL)
  adminUrl.pathname = '/postgres'
  const admin = new pg.Client({ connectionString: adminUrl.toString() })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  const url = new URL(env().DATABASE_URL)
  url.pathname = `/${name}`
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: url.toString() }, stdio: 'ignore' })
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url.toString() }) })
  return {
    url: url.toString(),
    db: client,
    async drop() {
      await client.$disconnect()
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await admin.end()
    },
  }
}
