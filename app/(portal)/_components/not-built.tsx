// The honest page for an area that does not exist yet: what it will do, and no fake data.
import type { LucideIcon } from 'lucide-react'
import { Construction } from 'lucide-react'
import { EmptyState } from '@/components/empty-state'
import { PageHeader } from '@/components/page-header'

export function NotBuiltPage({
  title,
  description,
  willDo,
  icon = Construction,
}: {
  title: string
  description: string
  /** What the area will do, as one sentence that completes "Not built yet: …". */
  willDo: string
  icon?: LucideIcon
}) {
  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader title={title} description={description} />
      <EmptyState icon={icon} title="Not built yet" description={<p className="text-pretty">{willDo}</p>}>
        <span className="text-xs text-muted-foreground">Nothing here is simulated: this page fills in when the feature ships.</span>
      </EmptyState>
    </div>
  )
}
