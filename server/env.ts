// The one place that reads process.env: every setting is validated here with zod, once,
// and the rest of the code imports the typed result. See .env.example for each variable.
import { z } from 'zod'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

// CIDR list like "10.0.0.0/8, 192.168.1.10/32, ::1/128"; validated in detail by ip-allowlist.ts.
const cidrList = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .url('DATABASE_URL must be a postgresql:// URL, e.g. postgresql://postgres@127.0.0.1:5432/traider_control')
    .default('postgresql://postgres@127.0.0.1:5432/traider_control'),
  REDIS_URL: z
    .string()
    .url('REDIS_URL must be a redis:// URL, e.g. redis://127.0.0.1:6379')
    .default('redis://127.0.0.1:6379'),
  // Every Redis key and BullMQ queue this instance uses starts with this (tests use a unique one).
  REDIS_PREFIX: z.string().regex(/^[a-zA-Z0-9:_-]+$/, 'REDIS_PREFIX may only hold letters, digits, ":", "_" and "-"').default('traider'),
  NEXTAUTH_URL: z.string().url().default('http://localhost:3000'),
  NEXTAUTH_SECRET: z.string().min(32, 'NEXTAUTH_SECRET must be at least 32 characters: run `openssl rand -base64 32` and put the result in .env').optional(),
  SESSION_MAX_AGE_HOURS: z.coerce.number().positive().max(8, 'SESSION_MAX_AGE_HOURS may be at most 8').default(8),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must be at least 12 characters').optional(),
  ADMIN_NAME: z.string().default('Administrator'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  WORKER_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  // Seconds a job's lock lasts: after a worker is killed, its job is resumed within about twice this.
  WORKER_LOCK_SECONDS: z.coerce.number().int().min(2).max(600).default(30),
  DEPLOY_MIN_FREE_DISK_GB: z.coerce.number().min(0).default(1),
  DEPLOY_STOP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  DOCKER_DEFAULT_ENDPOINT: z.string().default('unix:///var/run/docker.sock'),
  // Seconds before a Docker API call is given up (an unreachable tcp endpoint must fail fast).
  DOCKER_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(10),
  ALLOWED_CIDRS: cidrList.prefault(''),
  TRUST_PROXY: bool.prefault('false'),
  SIGNIN_MAX_ATTEMPTS_PER_IP: z.coerce.number().int().positive().default(20),
  SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  SIGNIN_WINDOW_MINUTES: z.coerce.number().int().positive().default(15),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // Where logical dumps are written on the worker host (relative paths are from the working directory).
  BACKUP_DIR: z.string().min(1).default('./.data/backups'),
  // REST API (/api/v1): requests per API token per minute before 429 Too Many Requests.
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
  // /api/metrics and the worker's /metrics: a bearer token and/or an allowlist; with neither, loopback only.
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters: run `openssl rand -hex 24`').optional(),
  METRICS_ALLOWED_CIDRS: cidrList.prefault(''),
  // OTLP/HTTP traces (e.g. http://jaeger:4318); unset = tracing off and the SDK is never loaded.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url('OTEL_EXPORTER_OTLP_ENDPOINT must be a URL such as http://127.0.0.1:4318').optional(),
  // Master key for values encrypted at rest (server/crypto/envelope.ts): base64 of 32 bytes,
  // inline or in a file. Required in production.
  SECRETS_MASTER_KEY: z.string().optional(),
  SECRETS_MASTER_KEY_FILE: z.string().optional(),
  // Host tmpfs directory where the worker writes secret files for containers on a local engine
  // (bind-mounted read-only at /run/secrets; removed with the container).
  SECRETS_RUNTIME_DIR: z.string().startsWith('/', 'SECRETS_RUNTIME_DIR must be an absolute path on a tmpfs, e.g. /dev/shm/traider-secrets').default('/dev/shm/traider-secrets'),
})

export type Env = z.infer<typeof schema>

let cached: Env | undefined

/** Parsed configuration; throws one readable message listing every bad variable. */
export function env(): Env {
  if (cached) return cached
  // An empty value (`ADMIN_PASSWORD=` in .env) means "not set", as in .env.example.
  const source = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''))
  const parsed = schema.safeParse(source)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration (fix these in .env, see .env.example):\n${lines.join('\n')}`)
  }
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.NEXTAUTH_SECRET) {
    throw new Error('NEXTAUTH_SECRET is required in production: `npm run up` writes one to .env, or set it yourself.')
  }
  if (parsed.data.NODE_ENV === 'production' && !parsed.data.SECRETS_MASTER_KEY && !parsed.data.SECRETS_MASTER_KEY_FILE) {
    throw new Error('SECRETS_MASTER_KEY (or SECRETS_MASTER_KEY_FILE) is required in production: `npm run up` writes one to .env, or run `openssl rand -base64 32`.')
  }
  cached = parsed.data
  return cached
}

/** The secret that signs session JWTs; a fixed development value outside production. */
export function authSecret(): string {
  return env().NEXTAUTH_SECRET ?? 'development-only-secret-do-not-use-in-production-000'
}

/** The whole process environment, for a child process that must inherit it (not configuration). */
export function inheritedEnvironment(): NodeJS.ProcessEnv {
  return process.env
}

/** Tests change variables between cases; production code never calls this. */
export function resetEnvForTests() {
  cached = undefined
}
