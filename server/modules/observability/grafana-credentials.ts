// How the control plane gets an environment's Grafana service-account token: by name, from
// the environment's SecretStore (embedded or Vault), at the moment it is needed.
import type { Db } from '@/server/db'
import { secretStoreFor } from '@/server/modules/secret/secret-store-for'

/** Returns the token, or null when the secret does not exist. Never logs the value. */
export type GrafanaCredentials = (environmentId: string, secretName: string) => Promise<string | null>

export function secretStoreGrafanaCredentials(db: Db): GrafanaCredentials {
  return async (environmentId, secretName) => {
    const store = await secretStoreFor(db, environmentId)
    return (await store.read(secretName))?.value ?? null
  }
}
