'use client'
// The portal's navigation: the sidebar on wide screens, the same list in a sheet on phones.
// Areas that are not built yet say so ("Soon") instead of pretending; Approvals counts the
// requests waiting for a decision.
import { useQuery } from '@tanstack/react-query'
import {
  Activity,
  DatabaseBackup,
  KeyRound,
  LayoutDashboard,
  Menu,
  Rocket,
  ScrollText,
  Server,
  Settings,
  Stamp,
  Users,
  type LucideIcon,
} from 'lucide-react'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { useState, type ComponentType } from 'react'
import { ProductMark } from '@/components/product-mark'
import { Button } from '@/components/ui/button'
import { Sheet, SheetContent, SheetDescription, SheetTitle, SheetTrigger } from '@/components/ui/sheet'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'

type NavItem = { href: string; label: string; icon: LucideIcon; soon?: boolean; adminOnly?: boolean; count?: ComponentType }

const PENDING_POLL_MS = 15_000

/** How many requests wait for approval; nothing while there are none (or it cannot tell). */
function PendingApprovalsCount() {
  const trpc = useTRPC()
  const pending = useQuery({ ...trpc.approval.pendingCount.queryOptions(), refetchInterval: PENDING_POLL_MS })
  const count = pending.data ?? 0
  if (count === 0) return null
  return (
    <span
      data-testid="pending-approvals-count"
      className="ml-auto inline-flex h-5 min-w-5 items-center justify-center rounded-full border border-warning/40 bg-warning/15 px-1.5 text-[0.7rem] font-semibold text-warning tabular-nums"
    >
      {count}
      <span className="sr-only"> {count === 1 ? 'request waits' : 'requests wait'} for approval</span>
    </span>
  )
}

const NAV: NavItem[][] = [
  [
    { href: '/', label: 'Dashboard', icon: LayoutDashboard },
    { href: '/environments', label: 'Environments', icon: Server },
    { href: '/deployments', label: 'Deployments', icon: Rocket },
    { href: '/approvals', label: 'Approvals', icon: Stamp, count: PendingApprovalsCount },
    { href: '/backups', label: 'Backups', icon: DatabaseBackup },
    { href: '/secrets', label: 'Secrets', icon: KeyRound },
    { href: '/observability', label: 'Observability', icon: Activity },
    { href: '/audit', label: 'Audit', icon: ScrollText },
  ],
  [
    { href: '/users', label: 'Users', icon: Users, adminOnly: true },
    { href: '/settings', label: 'Settings', icon: Settings },
  ],
]

function isActive(pathname: string, href: string) {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`)
}

function NavList({ isAdmin, onNavigate }: { isAdmin: boolean; onNavigate?: () => void }) {
  const pathname = usePathname()
  return (
    <nav aria-label="Main" className="grid grid-cols-1 gap-4">
      {NAV.map((group, index) => (
        <ul key={index} className="grid grid-cols-1 gap-0.5">
          {group
            .filter((item) => !item.adminOnly || isAdmin)
            .map(({ href, label, icon: Icon, soon, count: Count }) => {
              const active = isActive(pathname, href)
              return (
                <li key={href}>
                  <Link
                    href={href}
                    onClick={onNavigate}
                    aria-current={active ? 'page' : undefined}
                    className={cn(
                      'flex h-8 items-center gap-2.5 rounded-md px-2.5 text-sm text-sidebar-foreground/80 outline-none hover:bg-sidebar-accent hover:text-sidebar-accent-foreground focus-visible:ring-2 focus-visible:ring-sidebar-ring',
                      active && 'bg-sidebar-accent font-medium text-sidebar-accent-foreground',
                    )}
                  >
                    <Icon aria-hidden className={cn('size-4 shrink-0', active ? 'text-foreground' : 'text-muted-foreground')} />
                    <span className="truncate">{label}</span>
                    {Count && <Count />}
                    {soon && (
                      <span className="ml-auto text-[0.65rem] font-normal tracking-wide text-muted-foreground/80 uppercase">
                        Soon
                      </span>
                    )}
                  </Link>
                </li>
              )
            })}
        </ul>
      ))}
    </nav>
  )
}

export function SidebarNav({ isAdmin }: { isAdmin: boolean }) {
  return <NavList isAdmin={isAdmin} />
}

export function MobileNav({ isAdmin }: { isAdmin: boolean }) {
  const [open, setOpen] = useState(false)
  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" className="-ml-2 md:hidden" aria-label="Open navigation">
          <Menu aria-hidden />
        </Button>
      </SheetTrigger>
      <SheetContent className="w-72 gap-0 bg-sidebar p-0">
        <div className="flex h-14 items-center border-b px-4">
          <SheetTitle asChild>
            <div>
              <ProductMark />
            </div>
          </SheetTitle>
          <SheetDescription className="sr-only">Go to another area of the control plane.</SheetDescription>
        </div>
        <div className="overflow-y-auto p-3">
          <NavList isAdmin={isAdmin} onNavigate={() => setOpen(false)} />
        </div>
      </SheetContent>
    </Sheet>
  )
}
