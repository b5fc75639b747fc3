// What a webhook receives: the JSON body (generic, or Slack-compatible {text, blocks}) and
// the signature header. Pure functions; the receiver-side check is here too so tests and the
// docs use the same rule.
//
//   X-Traider-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<raw body>")>
//   X-Traider-Event-Id:  the event's id (the same for every retry: de-duplicate on it)
import { createHmac, timingSafeEqual } from 'node:crypto'

export type WebhookEventView = {
  id: string
  type: string
  severity: string
  title: string
  body: string
  link: string | null
  environmentId: string | null
  data: unknown
  createdAt: Date
}

const SEVERITY_MARK: Record<string, string> = { critical: ':rotating_light:', warning: ':warning:', success: ':white_check_mark:', info: ':information_source:' }

function absolute(link: string | null, baseUrl: string): string | null {
  if (!link) return null
  try {
    return new URL(link, baseUrl).toString()
  } catch {
    return null
  }
}

export function buildWebhookBody(event: WebhookEventView, format: 'GENERIC' | 'SLACK', baseUrl: string): string {
  const url = absolute(event.link, baseUrl)
  if (format === 'SLACK') {
    const mark = SEVERITY_MARK[event.severity] ?? ''
    const blocks: unknown[] = [
      { type: 'section', text: { type: 'mrkdwn', text: `${mark} *${event.title}*\n${event.body}`.trim() } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${event.type} · ${event.createdAt.toISOString()}${url ? ` · <${url}|Open in the control plane>` : ''}` }] },
    ]
    return JSON.stringify({ text: `${event.title}: ${event.body}`, blocks })
  }
  return JSON.stringify({
    id: event.id,
    type: event.type,
    severity: event.severity,
    occurredAt: event.createdAt.toISOString(),
    title: event.title,
    body: event.body,
    url,
    environmentId: event.environmentId,
    data: event.data ?? {},
  })
}

export function webhookSignature(key: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', key).update(`${unixSeconds}.${body}`).digest('hex')
  return `t=${unixSeconds},v1=${mac}`
}

/** Receiver side: true when the header matches the body and is at most `toleranceSeconds` old. */
export function verifyWebhookSignature(key: string, header: string, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]))
  const t = Number(parts.t)
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false
  const expected = Buffer.from(webhookSignature(key, body, t).split('v1=')[1], 'hex')
  const given = Buffer.from(parts.v1, 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
