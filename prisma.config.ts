// Prisma CLI configuration: migrations run through @prisma/adapter-pg and the JS schema
// engine, so no engine binary is downloaded (air-gapped installs work). See README.
import { config as loadDotenv } from 'dotenv'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { defineConfig } from 'prisma/config'
import { PrismaPg } from '@prisma/adapter-pg'

loadDotenv({ quiet: true })

// prisma/orm#27403: adapter-pg cannot decode catalog types that the schema engine reads
// while introspecting. They are plain text on the wire, so report them as text.
const AS_TEXT: Record<number, number> = {
  18: 25, // "char"
  19: 25, // name
  24: 25, // regproc
  194: 25, // pg_node_tree
  2205: 25, // regclass
  2206: 25, // regtype
  1003: 1009, // name[] -> text[]
}
type PgResultProto = { addFields(fields: Array<{ dataTypeID: number }>): void }
const PgResult = (pg as unknown as { Result: { prototype: PgResultProto } }).Result
const addFields = PgResult.prototype.addFields
PgResult.prototype.addFields = function (fields) {
  for (const f of fields) f.dataTypeID = AS_TEXT[f.dataTypeID] ?? f.dataTypeID
  return addFields.call(this, fields)
}

// Discrete fields: pg lets a connectionString win over `database`, which would break the
// per-database pool the shadow database needs.
function poolConfig(url: string): pg.PoolConfig {
  const u = new URL(url)
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    allowExitOnIdle: true, // else the CLI idles for pg's 10 s timeout before exiting
  }
}

async function adminQuery(cfg: pg.PoolConfig, sql: string) {
  const client = new pg.Client(cfg)
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

type ScriptAdapter = Awaited<ReturnType<PrismaPg['connect']>>

// adapter-pg 6.19 runs a migration script by splitting it on ";", which breaks any
// dollar-quoted function body (our audit trigger). pg's simple-query protocol takes the
// whole script at once, and runs it in one implicit transaction.
function runScriptsWhole(adapter: ScriptAdapter): ScriptAdapter {
  const inner = adapter as unknown as { client: pg.Pool; onError(e: unknown): never }
  adapter.executeScript = async (script: string) => {
    try {
      await inner.client.query(script)
    } catch (error) {
      inner.onError(error)
    }
  }
  return adapter
}

// PrismaPg 6.19 also drops the shadow database while its own pool is still connected.
class PrismaPgMigrate extends PrismaPg {
  constructor(private readonly cfg: pg.PoolConfig) {
    super(cfg)
  }
  async connect() {
    return runScriptsWhole(await super.connect())
  }
  async connectToShadowDb() {
    const name = `prisma_migrate_shadow_db_${randomUUID()}`
    await adminQuery(this.cfg, `CREATE DATABASE "${name}"`)
    const adapter = runScriptsWhole(await new PrismaPg({ ...this.cfg, database: name }).connect())
    const dispose = adapter.dispose.bind(adapter)
    adapter.dispose = async () => {
      await dispose()
      await adminQuery(this.cfg, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    }
    return adapter
  }
}

// The schema's env("DATABASE_URL") must resolve even without a .env file (CI, a clean
// clone): when it cannot, `prisma generate` falls back to downloading a query engine.
process.env.DATABASE_URL ||= 'postgresql://postgres@127.0.0.1:5432/traider_control'
const databaseUrl = process.env.DATABASE_URL

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    return new PrismaPgMigrate(poolConfig(databaseUrl))
  },
})
