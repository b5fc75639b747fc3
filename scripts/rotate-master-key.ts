// npm run secrets:rotate-master-key -- --new-key-file <path> [--old-key-file <path>]
// Re-wraps every sealed value under the new master key (one transaction), then tells the
// operator to switch SECRETS_MASTER_KEY. The old key is the configured one unless
// --old-key-file names it. Safe to run again: finished values are left alone.
import '@/server/load-dotenv'
import { readFileSync } from 'node:fs'
import { db, disconnectDb } from '@/server/db'
import { currentMasterKey, masterKeyFromText, type MasterKey } from '@/server/crypto/envelope'
import { rotateMasterKey } from '@/server/crypto/rotate-master-key'

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name)
  return index >= 0 ? process.argv[index + 1] : undefined
}

function keyFromFile(path: string, what: string): MasterKey {
  try {
    return masterKeyFromText(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new Error(`${what} ${path}: ${(error as Error).message}`)
  }
}

async function main() {
  const newKeyFile = argument('--new-key-file')
  if (!newKeyFile) throw new Error('Name the new key: --new-key-file <path> (create it with `openssl rand -base64 32 > new-master.key; chmod 600 new-master.key`).')
  const to = keyFromFile(newKeyFile, 'New key file')
  const oldKeyFile = argument('--old-key-file')
  const from = oldKeyFile ? keyFromFile(oldKeyFile, 'Old key file') : currentMasterKey()
  const report = await rotateMasterKey(db(), [from], to)
  for (const line of report) console.log(`  ${line.table}.${line.column}: ${line.rewrapped} re-wrapped, ${line.alreadyCurrent} already under the new key`)
  console.log(`✓ Every sealed value is now wrapped under master key ${to.id} (was ${from.id}).`)
  console.log(`  Next: set SECRETS_MASTER_KEY_FILE=${newKeyFile} (or SECRETS_MASTER_KEY to its contents) for the web and worker processes and restart both.`)
  console.log('  Keep the old key until both run with the new one; running this command again is safe.')
}

main()
  .catch((error) => {
    console.error(`✗ Master key rotation failed; nothing was changed: ${(error as Error).message}`)
    process.exitCode = 1
  })
  .finally(disconnectDb)
