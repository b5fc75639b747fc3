'use client'
// The filter bar: actor (text, applied as you type), action (every action seen, and each
// group such as "deployment.*"), environment, outcome, and a time range in local time.
import { useQuery } from '@tanstack/react-query'
import { ChevronDown, SlidersHorizontal } from 'lucide-react'
import { useEffect, useId, useMemo, useState } from 'react'
import { TierBadge } from '@/components/tier-badge'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectGroup, SelectItem, SelectLabel, SelectSeparator, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useTRPC } from '@/lib/trpc'
import { cn } from '@/lib/utils'
import { actionGroup, type FilterState } from './types'

const ALL = '__all'
const ACTOR_DEBOUNCE_MS = 300

export function AuditFilters({ filters, onChange }: { filters: FilterState; onChange: (next: FilterState) => void }) {
  const trpc = useTRPC()
  const id = useId()
  const actions = useQuery(trpc.audit.actions.queryOptions())
  const environments = useQuery(trpc.environment.list.queryOptions())

  // The actor box applies after a pause in typing, not on every key. `applied` is the value
  // the page has; when the page's value changes for another reason (Reset, "only this
  // actor"), the box shows it.
  const [actor, setActor] = useState(filters.actor)
  const [applied, setApplied] = useState(filters.actor)
  if (filters.actor !== applied) {
    setApplied(filters.actor)
    setActor(filters.actor)
  }
  useEffect(() => {
    if (actor === applied) return
    const timer = setTimeout(() => {
      setApplied(actor)
      onChange({ ...filters, actor })
    }, ACTOR_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [actor, applied, filters, onChange])

  const groups = useMemo(() => {
    const list = actions.data ?? []
    const prefixes = [...new Set(list.map(actionGroup).filter((g): g is string => g !== null))]
    return { prefixes, list }
  }, [actions.data])
  const actionKnown = !filters.action || groups.list.includes(filters.action) || groups.prefixes.includes(filters.action)

  const set = <K extends keyof FilterState>(key: K, value: FilterState[K]) => onChange({ ...filters, [key]: value })
  // Phones: the six fields fold behind one button (it says how many are set).
  const [open, setOpen] = useState(false)
  const active = Object.values(filters).filter(Boolean).length

  return (
    <div className="grid grid-cols-1 gap-2">
      <Button variant="outline" size="sm" className="justify-between sm:hidden" aria-expanded={open} aria-controls={`${id}-filters`} onClick={() => setOpen((v) => !v)}>
        <span className="inline-flex items-center gap-2">
          <SlidersHorizontal aria-hidden />
          Filters{active > 0 && ` · ${active} set`}
        </span>
        <ChevronDown aria-hidden className={cn('transition-transform', open && 'rotate-180')} />
      </Button>
      <div
        id={`${id}-filters`}
        role="search"
        aria-label="Filter the audit log"
        className={cn(
          'grid-cols-1 gap-2 sm:grid sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-[minmax(0,1.15fr)_minmax(0,1.25fr)_minmax(0,1fr)_minmax(0,0.75fr)_minmax(0,1.05fr)_minmax(0,1.05fr)]',
          open ? 'grid' : 'hidden',
        )}
      >
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-actor`} className="text-xs text-muted-foreground">Actor</Label>
          <Input id={`${id}-actor`} value={actor} onChange={(e) => setActor(e.target.value)} placeholder="E-mail, name or actor id" className="h-8" maxLength={200} />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-action`} className="text-xs text-muted-foreground">Action</Label>
          <Select value={filters.action || ALL} onValueChange={(v) => set('action', v === ALL ? '' : v)}>
            <SelectTrigger id={`${id}-action`} size="sm" className="w-full font-mono text-xs">
              <SelectValue />
            </SelectTrigger>
            <SelectContent className="max-h-80">
              <SelectItem value={ALL} className="font-sans">All actions</SelectItem>
              {groups.prefixes.length > 0 && (
                <SelectGroup>
                  <SelectSeparator />
                  <SelectLabel>Groups</SelectLabel>
                  {groups.prefixes.map((prefix) => (
                    <SelectItem key={prefix} value={prefix} className="font-mono text-xs">{`${prefix}*`}</SelectItem>
                  ))}
                </SelectGroup>
              )}
              {groups.list.length > 0 && (
                <SelectGroup>
                  <SelectSeparator />
                  <SelectLabel>Actions</SelectLabel>
                  {groups.list.map((action) => (
                    <SelectItem key={action} value={action} className="font-mono text-xs">{action}</SelectItem>
                  ))}
                </SelectGroup>
              )}
              {!actionKnown && <SelectItem value={filters.action} className="font-mono text-xs">{filters.action.endsWith('.') ? `${filters.action}*` : filters.action}</SelectItem>}
            </SelectContent>
          </Select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-env`} className="text-xs text-muted-foreground">Environment</Label>
          <Select value={filters.environmentId || ALL} onValueChange={(v) => set('environmentId', v === ALL ? '' : v)}>
            <SelectTrigger id={`${id}-env`} size="sm" className="w-full">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value={ALL}>All environments</SelectItem>
              {(environments.data ?? []).map((env) => (
                <SelectItem key={env.id} value={env.id}>
                  {env.name}
                  {env.tier === 'PRODUCTION' && <TierBadge tier={env.tier} />}
                </SelectItem>
              ))}
              {filters.environmentId && !environments.data?.some((e) => e.id === filters.environmentId) && (
                <SelectItem value={filters.environmentId}>{environments.isPending ? 'Loading…' : `Deleted environment (${filters.environmentId})`}</SelectItem>
              )}
            </SelectContent>
          </Select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-outcome`} className="text-xs text-muted-foreground">Outcome</Label>
          <Select value={filters.outcome || ALL} onValueChange={(v) => set('outcome', v === ALL ? '' : (v as FilterState['outcome']))}>
            <SelectTrigger id={`${id}-outcome`} size="sm" className="w-full">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value={ALL}>All outcomes</SelectItem>
              <SelectItem value="success">Success</SelectItem>
              <SelectItem value="failure">Failure</SelectItem>
              <SelectItem value="denied">Denied</SelectItem>
            </SelectContent>
          </Select>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-from`} className="text-xs text-muted-foreground">From (local time)</Label>
          <Input id={`${id}-from`} type="datetime-local" value={filters.from} max={filters.to || undefined} onChange={(e) => set('from', e.target.value)} className="h-8" />
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor={`${id}-to`} className="text-xs text-muted-foreground">To (local time)</Label>
          <Input id={`${id}-to`} type="datetime-local" value={filters.to} min={filters.from || undefined} onChange={(e) => set('to', e.target.value)} className="h-8" />
        </div>
      </div>
    </div>
  )
}
