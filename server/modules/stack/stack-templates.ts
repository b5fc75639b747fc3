// Stack templates shipped in compose/templates/: a compose file whose first comment lines
// give its title and description. Creating or editing a stack can start from one.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { notFound } from '@/server/errors'

export const TEMPLATES_DIR = path.join(process.cwd(), 'compose', 'templates')

export type StackTemplate = { id: string; title: string; description: string; composeYaml: string }

function header(text: string, key: string): string | undefined {
  return new RegExp(`^# ${key}: (.+)$`, 'm').exec(text)?.[1]?.trim()
}

export async function listStackTemplates(dir = TEMPLATES_DIR): Promise<StackTemplate[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /^[a-z0-9-]+\.ya?ml$/.test(f)).sort()
  return Promise.all(
    files.map(async (file) => {
      const composeYaml = await readFile(path.join(dir, file), 'utf8')
      const id = file.replace(/\.ya?ml$/, '')
      return { id, title: header(composeYaml, 'title') ?? id, description: header(composeYaml, 'description') ?? '', composeYaml }
    }),
  )
}

export async function getStackTemplate(id: string, dir = TEMPLATES_DIR): Promise<StackTemplate> {
  const template = (await listStackTemplates(dir)).find((t) => t.id === id)
  if (!template) throw notFound(`Stack template "${id}"`)
  return template
}
