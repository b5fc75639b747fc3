// Backups: not built yet (arrives with the backup engine).
import type { Metadata } from 'next'
import { DatabaseBackup } from 'lucide-react'
import { NotBuiltPage } from '../_components/not-built'

export const metadata: Metadata = { title: 'Backups' }

export default function BackupsPage() {
  return (
    <NotBuiltPage
      title="Backups"
      description="Database backups of each environment and restores from them."
      icon={DatabaseBackup}
      willDo="Run and schedule database backups per environment, chart their sizes and ages, and restore one after an approver confirms."
    />
  )
}
