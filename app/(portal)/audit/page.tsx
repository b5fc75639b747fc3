// Audit: not built yet (the hash-chained log is recorded already; this page will show it).
import type { Metadata } from 'next'
import { ScrollText } from 'lucide-react'
import { NotBuiltPage } from '../_components/not-built'

export const metadata: Metadata = { title: 'Audit' }

export default function AuditPage() {
  return (
    <NotBuiltPage
      title="Audit"
      description="Who did what, when, from where."
      icon={ScrollText}
      willDo="Search the append-only audit log (it is already being recorded) by person, action and environment, and verify that its hash chain is intact."
    />
  )
}
