// Deployments: not built yet (arrives with the deploy engine).
import type { Metadata } from 'next'
import { Rocket } from 'lucide-react'
import { NotBuiltPage } from '../_components/not-built'

export const metadata: Metadata = { title: 'Deployments' }

export default function DeploymentsPage() {
  return (
    <NotBuiltPage
      title="Deployments"
      description="Releases of the trading stack to each environment."
      icon={Rocket}
      willDo="Request a release for an environment, follow each step and its log live, see how long it took, and roll back to an earlier release."
    />
  )
}
