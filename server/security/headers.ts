// The Content-Security-Policy for a page, with a fresh nonce per request (Next.js applies
// the nonce to its own scripts when it finds it in the request's CSP header).
export function generateNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
}

export function contentSecurityPolicy(nonce: string, opts: { dev: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ''}`,
    // Radix and charts set style attributes at run time; inline styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    // Embedded Grafana/Jaeger come through our own reverse proxy, so frames are same-origin.
    "frame-src 'self'",
    "frame-ancestors 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    ...(opts.dev ? [] : ['upgrade-insecure-requests']),
  ].join('; ')
}

export const MAX_BODY_BYTES = 1024 * 1024
