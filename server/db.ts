// The only PrismaClient. Created on first use (importing this file opens no connection),
// through @prisma/adapter-pg so no query-engine binary is needed.
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '@/generated/prisma/client'
import { env } from './env'

export type Db = PrismaClient
/** The client handed to a `db.$transaction(async (tx) => …)` callback. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0]
/** Either the client or a transaction: functions that must join a caller's transaction take this. */
export type DbOrTx = Db | Tx

const globalForDb = globalThis as unknown as { traiderDb?: PrismaClient }

export function db(): PrismaClient {
  if (!globalForDb.traiderDb) {
    const adapter = new PrismaPg({ connectionString: env().DATABASE_URL, max: 10 })
    globalForDb.traiderDb = new PrismaClient({ adapter })
  }
  return globalForDb.traiderDb
}

export async function disconnectDb() {
  const client = globalForDb.traiderDb
  globalForDb.traiderDb = undefined
  await client?.$disconnect()
}
