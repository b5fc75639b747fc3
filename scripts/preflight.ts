// First-start checks for `npm run up`: PostgreSQL and Redis must answer (else one line
// naming the variable and how to start the service, exit 1); the database is created if
// it does not exist yet; a missing Docker engine is only a warning.
import '@/server/load-dotenv'
import pg from 'pg'
import { Redis } from 'ioredis'
import { env } from '@/server/env'
import { dockerRuntime } from '@/server/infra/docker'

function fail(message: string): never {
  console.error(`\n✗ ${message}\n`)
  process.exit(1)
}

function redactUrl(raw: string) {
  const u = new URL(raw)
  if (u.password) u.password = '***'
  return u.toString()
}

async function checkPostgres(databaseUrl: string) {
  const target = new URL(databaseUrl)
  const dbName = decodeURIComponent(target.pathname.slice(1))
  const adminUrl = new URL(databaseUrl)
  adminUrl.pathname = '/postgres'
  const client = new pg.Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: 5_000 })
  try {
    await client.connect()
  } catch (error) {
    fail(
      `Cannot reach PostgreSQL at ${redactUrl(databaseUrl)} (${(error as Error).message}).\n` +
        `  Set DATABASE_URL in .env to a reachable server, or start the local one:\n` +
        `    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    )
  }
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`)
      console.log(`✓ PostgreSQL: created database ${dbName}`)
    } else {
      console.log(`✓ PostgreSQL: database ${dbName} is reachable`)
    }
  } catch (error) {
    fail(`PostgreSQL answered, but the database ${dbName} could not be created: ${(error as Error).message}. Create it yourself or point DATABASE_URL at an existing one.`)
  } finally {
    await client.end()
  }
}

async function checkRedis(redisUrl: string) {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 5_000, retryStrategy: () => null })
  client.on('error', () => {}) // reported below, once
  try {
    await client.connect()
    await client.ping()
    console.log(`✓ Redis: ${redactUrl(redisUrl)} answers`)
  } catch (error) {
    fail(
      `Cannot reach Redis at ${redactUrl(redisUrl)} (${(error as Error).message}).\n` +
        `  Set REDIS_URL in .env to a reachable server, or start the local one:\n` +
        `    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
    )
  } finally {
    client.disconnect()
  }
}

async function checkDocker(endpoint: string) {
  try {
    const facts = await dockerRuntime.hostFacts({ url: endpoint })
    console.log(`✓ Docker engine ${facts.dockerVersion} at ${endpoint}`)
  } catch (error) {
    console.warn(`! ${(error as Error).message}\n  Starting anyway: environment checks will show this error until an engine answers.`)
  }
}

async function main() {
  let config
  try {
    config = env()
  } catch (error) {
    fail((error as Error).message)
  }
  await checkPostgres(config.DATABASE_URL)
  await checkRedis(config.REDIS_URL)
  await checkDocker(config.DOCKER_DEFAULT_ENDPOINT)
}

main().catch((error) => fail(`Preflight failed unexpectedly: ${(error as Error).message}`))
