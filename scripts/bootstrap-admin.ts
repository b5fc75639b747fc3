// Creates the first admin when the database has no users: from ADMIN_EMAIL/ADMIN_PASSWORD
// if set, else with a one-time password printed once (changed at first sign-in).
// `--json` prints the result as one JSON line for the e2e harness.
import '@/server/load-dotenv'
import { db, disconnectDb } from '@/server/db'
import { env } from '@/server/env'
import { bootstrapFirstAdmin } from '@/server/modules/user/user.service'

async function main() {
  const config = env()
  const result = await bootstrapFirstAdmin({ db: db() }, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD, name: config.ADMIN_NAME })
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result))
  } else if (!result.created) {
    console.log('✓ Users exist already: no first admin created.')
  } else if (result.oneTimePassword) {
    console.log(
      [
        '',
        '┌──────────────────────────────────────────────────────────────┐',
        '│ First admin created. This password is shown ONCE:            │',
        `│   e-mail:   ${result.email.padEnd(49)}│`,
        `│   password: ${result.oneTimePassword.padEnd(49)}│`,
        '│ You will choose your own password at first sign-in.          │',
        '└──────────────────────────────────────────────────────────────┘',
        '',
      ].join('\n'),
    )
  } else {
    console.log(`✓ First admin ${result.email} created with ADMIN_PASSWORD.`)
  }
}

main()
  .catch((error) => {
    console.error(`✗ Could not create the first admin: ${(error as Error).message}`)
    process.exitCode = 1
  })
  .finally(disconnectDb)
