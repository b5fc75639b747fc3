'use client'
// Where a stack's text can come from besides typing: a template shipped in compose/templates
// (the TRAIDER full stack among them) or a compose file uploaded from disk. Either replaces
// the editor's text; nothing is saved until the person presses Save.
import { useQuery } from '@tanstack/react-query'
import { FileUp, LayoutTemplate } from 'lucide-react'
import { useId, useRef, useState } from 'react'
import { Button } from '@/components/ui/button'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { useTRPC } from '@/lib/trpc'

const MAX_UPLOAD_BYTES = 512 * 1024

export type StackSource = 'pasted' | 'uploaded' | `template:${string}`

export function StackSourcePicker({ onLoad, onError }: { onLoad: (text: string, source: StackSource) => void; onError: (message: string) => void }) {
  const trpc = useTRPC()
  const id = useId()
  const templates = useQuery(trpc.stack.templates.queryOptions())
  const [templateId, setTemplateId] = useState<string>('')
  const fileRef = useRef<HTMLInputElement>(null)
  const chosen = templates.data?.find((t) => t.id === templateId)

  async function onFile(file: File | undefined) {
    if (!file) return
    if (file.size > MAX_UPLOAD_BYTES) return onError(`${file.name} is ${(file.size / 1024).toFixed(0)} KB; a compose file may be at most 512 KB.`)
    onLoad(await file.text(), 'uploaded')
  }

  return (
    <div className="grid grid-cols-1 gap-2 rounded-md border border-dashed p-3 sm:grid-cols-[1fr_auto] sm:items-end">
      <div className="grid min-w-0 grid-cols-1 gap-1.5">
        <label htmlFor={`${id}-template`} className="text-xs font-medium text-muted-foreground">
          Start from a template
        </label>
        <div className="flex min-w-0 gap-2">
          <Select value={templateId} onValueChange={setTemplateId} disabled={!templates.data?.length}>
            <SelectTrigger id={`${id}-template`} className="min-w-0 flex-1">
              <SelectValue placeholder={templates.isLoading ? 'Loading templates…' : 'Choose a template'} />
            </SelectTrigger>
            <SelectContent>
              {templates.data?.map((t) => (
                <SelectItem key={t.id} value={t.id}>
                  {t.title}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <Button type="button" variant="outline" disabled={!chosen} onClick={() => chosen && onLoad(chosen.composeYaml, `template:${chosen.id}`)}>
            <LayoutTemplate aria-hidden />
            Load
          </Button>
        </div>
        {chosen && <p className="text-xs text-muted-foreground">{chosen.description}</p>}
      </div>
      <div>
        <input ref={fileRef} type="file" accept=".yml,.yaml,text/yaml,application/yaml" className="sr-only" aria-label="Choose a YAML file to upload" onChange={(e) => void onFile(e.target.files?.[0])} />
        <Button type="button" variant="outline" className="w-full sm:w-auto" onClick={() => fileRef.current?.click()}>
          <FileUp aria-hidden />
          Upload file
        </Button>
      </div>
    </div>
  )
}
