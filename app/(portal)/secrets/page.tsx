// Secrets: not built yet (arrives with the secret store).
import type { Metadata } from 'next'
import { KeyRound } from 'lucide-react'
import { NotBuiltPage } from '../_components/not-built'

export const metadata: Metadata = { title: 'Secrets' }

export default function SecretsPage() {
  return (
    <NotBuiltPage
      title="Secrets"
      description="Which secrets each environment needs and where they are kept."
      icon={KeyRound}
      willDo="Show which keys each environment's services need, whether Vault (or the built-in store) has them, and let admins set missing ones; values are never shown."
    />
  )
}
