// Bulk audit rows for tests and measurements: hash-chained exactly as audit() would chain
// them, written with one multi-row INSERT per batch (unnest of column arrays), so 200,000
// rows take seconds instead of the minutes one audit() call per row would.
import pg from 'pg'
import { chainHash, GENESIS_HASH, type ChainedFields } from '@/server/modules/audit/hash-chain'

// The lock audit() takes (server/modules/audit/audit.ts): no writer can fork the chain meanwhile.
const AUDIT_CHAIN_LOCK = '7321004117'

const ACTIONS = ['deployment.request', 'deployment.succeeded', 'environment.check', 'auth.sign_in', 'user.role_change', 'stack.save']
const OUTCOMES = ['success', 'success', 'success', 'failure', 'denied']

/** A plausible row: varied actors, actions, environments and summaries (some with commas, quotes, newlines). */
export function sampleAuditFields(i: number, at: Date, overrides: Partial<ChainedFields> = {}): ChainedFields {
  const user = i % 7
  return {
    at,
    actorType: user === 0 ? 'SYSTEM' : 'USER',
    actorId: user === 0 ? null : `user-${user}`,
    actorLabel: user === 0 ? 'system' : `operator${user}@example.test`,
    action: ACTIONS[i % ACTIONS.length],
    targetType: 'deployment',
    targetId: `dep-${i}`,
    environmentId: i % 3 === 0 ? null : `env-${i % 3}`,
    ip: user === 0 ? null : `10.0.0.${user}`,
    userAgent: user === 0 ? null : 'Mozilla/5.0 (X11; Linux x86_64) bench',
    outcome: OUTCOMES[i % OUTCOMES.length],
    summary: i % 10 === 0 ? { reason: `line one, "quoted"\nline two #${i}` } : { release: i % 50, changed: ['web', 'api'], after: { replicas: 2 } },
    ...overrides,
  }
}

/**
 * Appends `count` chained rows after the current last row, `batch` per INSERT (each batch in
 * its own transaction holding the chain lock). Returns the ids written, first and last.
 */
export async function appendChainedRows(
  databaseUrl: string,
  count: number,
  { batch = 5_000, fields = sampleAuditFields }: { batch?: number; fields?: (i: number, at: Date) => ChainedFields } = {},
): Promise<{ firstId: bigint; lastId: bigint }> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  let firstId: bigint | undefined
  let lastId = 0n
  const start = Date.now() - count // one row per millisecond, ending now
  try {
    for (let offset = 0; offset < count; offset += batch) {
      const n = Math.min(batch, count - offset)
      await client.query('BEGIN')
      await client.query(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::bigint)`)
      const last = await client.query<{ hash: string }>('SELECT hash FROM "AuditEvent" ORDER BY id DESC LIMIT 1')
      let prevHash = last.rows[0]?.hash ?? GENESIS_HASH
      const columns: unknown[][] = Array.from({ length: 14 }, () => [])
      for (let j = 0; j < n; j++) {
        const f = fields(offset + j, new Date(start + offset + j))
        const hash = chainHash(prevHash, f)
        const values = [f.at.toISOString(), f.actorType, f.actorId, f.actorLabel, f.action, f.targetType, f.targetId, f.environmentId, f.ip, f.userAgent, f.outcome, f.summary === null ? null : JSON.stringify(f.summary), prevHash, hash]
        values.forEach((v, k) => columns[k].push(v))
        prevHash = hash
      }
      const inserted = await client.query<{ first: string; last: string }>(
        `WITH rows AS (
           INSERT INTO "AuditEvent" ("at", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId", "environmentId", "ip", "userAgent", "outcome", "summary", "prevHash", "hash")
           SELECT c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14
           FROM unnest($1::timestamptz[], $2::"ActorType"[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::text[])
             WITH ORDINALITY AS u(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, n)
           ORDER BY n -- ids follow the chain order
           RETURNING id)
         SELECT min(id)::text AS first, max(id)::text AS last FROM rows`,
        columns,
      )
      await client.query('COMMIT')
      firstId ??= BigInt(inserted.rows[0].first)
      lastId = BigInt(inserted.rows[0].last)
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    await client.end()
  }
  return { firstId: firstId ?? 0n, lastId }
}
