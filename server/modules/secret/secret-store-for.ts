// Picks an environment's SecretStore: the embedded store unless its settings say Vault. The
// Vault settings are unsealed here, in memory, only for as long as the store object lives.
import type { Db } from '@/server/db'
import { openText } from '@/server/crypto/envelope'
import { embeddedSecretStore } from '@/server/infra/embedded-secret-store'
import type { SecretStore } from '@/server/infra/ports'
import { vaultSecretStore } from '@/server/infra/vault'
import { vaultSettings, type VaultSettings } from './secret.schema'

export const vaultSettingsContext = (environmentId: string) => `secret-store:${environmentId}:vault`

export async function readVaultSettings(db: Db, environmentId: string): Promise<VaultSettings | null> {
  const config = await db.secretStoreConfig.findUnique({ where: { environmentId } })
  if (!config || config.backend !== 'VAULT' || !config.vaultSealed) return null
  return vaultSettings.parse(JSON.parse(openText(config.vaultSealed, vaultSettingsContext(environmentId))))
}

export async function secretStoreFor(db: Db, environmentId: string): Promise<SecretStore> {
  const settings = await readVaultSettings(db, environmentId)
  return settings ? vaultSecretStore(settings) : embeddedSecretStore(db, environmentId)
}
