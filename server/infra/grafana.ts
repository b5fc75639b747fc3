// Grafana's HTTP API (dashboard search, annotations) with a service-account token. The token
// is passed in per call by the caller that read it from the SecretStore; it is never logged
// or returned.
import { z } from 'zod'

export class GrafanaError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GrafanaError'
  }
}

const dashboard = z.object({ uid: z.string(), title: z.string(), url: z.string(), folderTitle: z.string().optional(), tags: z.array(z.string()).optional() })
export type GrafanaDashboard = z.infer<typeof dashboard>

async function grafanaFetch(baseUrl: string, token: string, path: string, init: RequestInit = {}) {
  let response: Response
  try {
    response = await fetch(new URL(path.replace(/^\//, ''), `${baseUrl.replace(/\/+$/, '')}/`), {
      ...init,
      headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
      signal: AbortSignal.timeout(5_000),
    })
  } catch (error) {
    throw new GrafanaError(`Grafana at ${baseUrl} did not answer (${(error as Error).message}): check the environment's Grafana URL.`)
  }
  if (response.status === 401 || response.status === 403) {
    throw new GrafanaError(`Grafana at ${baseUrl} refused the service-account token (HTTP ${response.status}): store a valid token in the secret store under the name set in the environment's observability settings.`)
  }
  if (!response.ok) throw new GrafanaError(`Grafana at ${baseUrl} answered HTTP ${response.status} to ${path.split('?')[0]}.`)
  return response.json() as Promise<unknown>
}

/** Dashboards visible to the token (`GET /api/search?type=dash-db`). */
export async function searchGrafanaDashboards(baseUrl: string, token: string): Promise<GrafanaDashboard[]> {
  const parsed = z.array(dashboard).safeParse(await grafanaFetch(baseUrl, token, '/api/search?type=dash-db&limit=200'))
  if (!parsed.success) throw new GrafanaError(`Grafana at ${baseUrl} answered /api/search with an unexpected shape: is this URL Grafana's root?`)
  return parsed.data
}

export type GrafanaAnnotation = { time: number; timeEnd?: number; tags: string[]; text: string }

/** `POST /api/annotations` (an organisation-wide annotation, shown on dashboards that query by tag). */
export async function postGrafanaAnnotation(baseUrl: string, token: string, annotation: GrafanaAnnotation): Promise<{ id: number | null }> {
  const body = z.object({ id: z.number().optional() }).safeParse(await grafanaFetch(baseUrl, token, '/api/annotations', { method: 'POST', body: JSON.stringify(annotation) }))
  return { id: body.success ? (body.data.id ?? null) : null }
}
