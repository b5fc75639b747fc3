// The embedded SecretStore: versioned values in Postgres (SecretValue), each sealed with its own
// data key under the master key (server/crypto/envelope.ts) and bound to its row by the context
// "secret:<environmentId>:<name>:<version>", so a ciphertext copied to another row or altered
// fails loudly instead of opening. A delete appends a tombstone version: numbers never repeat.
import type { Db } from '@/server/db'
import { currentMasterKey, openText, seal, SealedValueError } from '@/server/crypto/envelope'
import { Prisma } from '@/generated/prisma/client'
import type { SecretMetadata, SecretRead, SecretStore, SecretWriter } from './ports'

export function embeddedSecretContext(environmentId: string, name: string, version: number): string {
  return `secret:${environmentId}:${name}:${version}`
}

type LatestRow = { name: string; version: number; deleted: boolean; createdAt: Date; createdByLabel: string }

export function embeddedSecretStore(db: Db, environmentId: string): SecretStore {
  const latest = (name: string) =>
    db.secretValue.findFirst({ where: { environmentId, name }, orderBy: { version: 'desc' } })

  async function append(name: string, sealedFor: ((version: number) => string) | null, by: SecretWriter) {
    // Two writers may race for the same next version: the unique index refuses one, which retries.
    for (let attempt = 0; attempt < 5; attempt++) {
      const version = ((await latest(name))?.version ?? 0) + 1
      try {
        return await db.secretValue.create({
          data: { environmentId, name, version, sealedValue: sealedFor ? sealedFor(version) : null, deleted: sealedFor === null, createdById: by.id, createdByLabel: by.label },
        })
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') continue
        throw error
      }
    }
    throw new Error(`Secret "${name}" is being written by several people at once: try again.`)
  }

  return {
    kind: 'embedded',

    async list(): Promise<SecretMetadata[]> {
      const rows = await db.$queryRaw<LatestRow[]>`
        SELECT DISTINCT ON (name) name, version, deleted, "createdAt", "createdByLabel"
        FROM "SecretValue" WHERE "environmentId" = ${environmentId}
        ORDER BY name, version DESC`
      return rows.filter((r) => !r.deleted).map((r) => ({ name: r.name, version: r.version, updatedAt: r.createdAt, updatedBy: r.createdByLabel }))
    },

    async read(name: string): Promise<SecretRead | null> {
      const row = await latest(name)
      if (!row || row.deleted || row.sealedValue === null) return null
      try {
        return { name, version: row.version, value: openText(row.sealedValue, embeddedSecretContext(environmentId, name, row.version)) }
      } catch (error) {
        if (error instanceof SealedValueError) {
          throw new SealedValueError(`Secret "${name}" (version ${row.version}) does not decrypt: ${error.message}`)
        }
        throw error
      }
    },

    async write(name: string, value: string, by: SecretWriter): Promise<SecretMetadata> {
      const row = await append(name, (version) => seal(value, embeddedSecretContext(environmentId, name, version)), by)
      return { name, version: row.version, updatedAt: row.createdAt, updatedBy: row.createdByLabel }
    },

    async delete(name: string, by: SecretWriter): Promise<void> {
      const row = await latest(name)
      if (!row || row.deleted) return
      await append(name, null, by)
      // Old versions stop being readable at all: their ciphertext goes too.
      await db.secretValue.updateMany({ where: { environmentId, name }, data: { sealedValue: null } })
    },

    async check() {
      try {
        currentMasterKey()
      } catch (error) {
        return { ok: false, detail: `embedded store: ${(error as Error).message}` }
      }
      try {
        await db.$queryRaw`SELECT 1`
        return { ok: true, detail: 'embedded store (Postgres): reachable, master key loaded' }
      } catch (error) {
        return { ok: false, detail: `embedded store: the database does not answer (${(error as Error).message.split('\n')[0]}): check DATABASE_URL and that Postgres runs` }
      }
    },
  }
}
