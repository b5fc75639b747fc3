// Next.js config. Security headers that do not depend on the request live here; the
// per-request CSP nonce, IP allowlist and body-size limit live in proxy.ts.
/** @type {import('next').NextConfig} */
const nextConfig = {
  // A second build folder lets two e2e runs build side by side (e2e/run.ts, NEXT_DIST_DIR).
  // eslint-disable-next-line no-restricted-syntax -- read by `next build` itself, before any app code runs
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  reactStrictMode: true,
  // Native / server-only packages loaded from node_modules at run time, not bundled.
  serverExternalPackages: ['@node-rs/argon2', 'dockerode', 'ssh2', 'cpu-features', 'bullmq', 'ioredis', 'pg'],
  experimental: {
    // Body size refused above 1 MB for server actions too (route handlers: see proxy.ts).
    serverActions: { bodySizeLimit: '1mb' },
  },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'SAMEORIGIN' },
          {
            key: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
          },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
        ],
      },
    ]
  },
}

export default nextConfig
