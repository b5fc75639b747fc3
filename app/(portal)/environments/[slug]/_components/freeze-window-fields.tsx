'use client'
// One freeze window in the policy editor: the days it starts on, start and end (local time
// in its time zone, may run past midnight), the time zone and a label. Checked here before
// saving, because the server can only say "a freeze window is wrong", not which one.
import { Trash2 } from 'lucide-react'
import { useId } from 'react'
import { Button } from '@/components/ui/button'
import { Checkbox } from '@/components/ui/checkbox'
import { FieldError } from '@/components/ui/field'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { DAY_NAMES } from '../../../approvals/_components/approval-words'

export type FreezeWindowDraft = { key: number; days: number[]; start: string; end: string; timeZone: string; label: string }
export type FreezeWindowErrors = Partial<Record<'days' | 'start' | 'end' | 'timeZone', string>>

export const TIME_ZONE_SUGGESTIONS = ['UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Chicago', 'Asia/Singapore', 'Asia/Tokyo']

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value })
    return true
  } catch {
    return false
  }
}

/** The same rules as approval.schema.ts, per window. */
export function freezeWindowErrors(w: FreezeWindowDraft): FreezeWindowErrors {
  const errors: FreezeWindowErrors = {}
  if (w.days.length === 0) errors.days = 'Pick at least one day.'
  if (!HHMM.test(w.start)) errors.start = 'Use HH:MM, e.g. 18:30.'
  if (!HHMM.test(w.end)) errors.end = 'Use HH:MM, e.g. 22:00.'
  if (!w.timeZone.trim() || !isTimeZone(w.timeZone.trim())) errors.timeZone = 'Unknown time zone: use an IANA name such as Europe/London or America/New_York.'
  return errors
}

export function FreezeWindowFields({
  index,
  value,
  errors,
  onChange,
  onRemove,
  timeZonesId,
}: {
  index: number
  value: FreezeWindowDraft
  errors: FreezeWindowErrors
  onChange: (next: FreezeWindowDraft) => void
  onRemove: () => void
  /** The id of the shared <datalist> of time zone suggestions. */
  timeZonesId: string
}) {
  const id = useId()
  const set = <K extends keyof FreezeWindowDraft>(key: K, v: FreezeWindowDraft[K]) => onChange({ ...value, [key]: v })
  const toggleDay = (day: number, on: boolean) => set('days', on ? [...value.days, day].sort((a, b) => a - b) : value.days.filter((d) => d !== day))
  const overnight = HHMM.test(value.start) && HHMM.test(value.end) && value.end <= value.start

  return (
    <fieldset className="grid min-w-0 grid-cols-1 gap-3 rounded-lg border p-3" data-freeze-window={index + 1}>
      <legend className="sr-only">Freeze window {index + 1}</legend>
      <div className="flex items-center justify-between gap-2">
        <span aria-hidden className="text-sm font-medium">
          Freeze window {index + 1}
        </span>
        <Button type="button" variant="ghost" size="icon-sm" onClick={onRemove} aria-label={`Remove freeze window ${index + 1}`} className="-my-1 text-muted-foreground hover:text-danger">
          <Trash2 aria-hidden />
        </Button>
      </div>
      <div className="grid grid-cols-1 gap-2">
        <span className="text-xs text-muted-foreground" id={`${id}-days`}>
          Starts on
        </span>
        <div role="group" aria-labelledby={`${id}-days`} className="flex flex-wrap gap-x-4 gap-y-2">
          {DAY_NAMES.map((name, day) => (
            <Label key={name} className="gap-1.5 font-normal">
              <Checkbox checked={value.days.includes(day)} onCheckedChange={(c) => toggleDay(day, c === true)} aria-invalid={!!errors.days || undefined} />
              {name}
            </Label>
          ))}
        </div>
        <FieldError>{errors.days}</FieldError>
      </div>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-[8rem_8rem_minmax(0,1fr)]">
        <div className="grid content-start gap-1.5">
          <Label htmlFor={`${id}-start`} className="text-xs font-normal text-muted-foreground">
            Start
          </Label>
          <Input id={`${id}-start`} type="time" value={value.start} onChange={(e) => set('start', e.target.value)} aria-invalid={!!errors.start || undefined} className="tabular-nums" />
          <FieldError>{errors.start}</FieldError>
        </div>
        <div className="grid content-start gap-1.5">
          <Label htmlFor={`${id}-end`} className="text-xs font-normal text-muted-foreground">
            End
          </Label>
          <Input id={`${id}-end`} type="time" value={value.end} onChange={(e) => set('end', e.target.value)} aria-invalid={!!errors.end || undefined} className="tabular-nums" />
          <FieldError>{errors.end}</FieldError>
        </div>
        <div className="col-span-2 grid content-start gap-1.5 sm:col-span-1">
          <Label htmlFor={`${id}-tz`} className="text-xs font-normal text-muted-foreground">
            Time zone
          </Label>
          <Input
            id={`${id}-tz`}
            value={value.timeZone}
            onChange={(e) => set('timeZone', e.target.value)}
            list={timeZonesId}
            autoComplete="off"
            spellCheck={false}
            placeholder="Europe/London"
            aria-invalid={!!errors.timeZone || undefined}
          />
          <FieldError>{errors.timeZone}</FieldError>
        </div>
      </div>
      {overnight && <p className="-mt-1 text-xs text-muted-foreground">Runs past midnight: it ends at {value.end} the next day.</p>}
      <div className="grid content-start gap-1.5">
        <Label htmlFor={`${id}-label`} className="text-xs font-normal text-muted-foreground">
          Label (optional)
        </Label>
        <Input id={`${id}-label`} value={value.label} onChange={(e) => set('label', e.target.value)} maxLength={80} placeholder="e.g. Market close" className="sm:max-w-sm" />
      </div>
    </fieldset>
  )
}
