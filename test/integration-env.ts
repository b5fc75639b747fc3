// Runs in every integration test worker before the test file: points server/env.ts at the
// run's own database and Redis prefix.
import { inject } from 'vitest'

process.env.DATABASE_URL = inject('databaseUrl')
process.env.REDIS_PREFIX = inject('redisPrefix')
process.env.REDIS_URL = inject('redisUrl')
process.env.SIGNIN_MAX_ATTEMPTS_PER_ACCOUNT ??= '5'
