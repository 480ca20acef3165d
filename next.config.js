/**
 * Content-Security-Policy. 'unsafe-inline' for scripts: the App Router streams its RSC payload as inline
 * <script> tags, and prerendered pages cannot carry a per-request nonce, so a nonce policy would need
 * every page rendered dynamically; 'self' plus the directives below still stop plugins, <base> hijacking,
 * framing, foreign form targets and exfiltration through fetch/XHR to other origins. `next dev` also
 * needs 'unsafe-eval' (React's dev tooling); production does not get it.
 */
const dev = process.env.NODE_ENV === 'development';
const csp = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const securityHeaders = [
  { key: 'Content-Security-Policy', value: csp },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // chDB is a native addon: it must be required at run time, never bundled.
  serverExternalPackages: ['chdb', '@clickhouse/client', '@opentelemetry/sdk-node'],
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders },
      // `next start` speaks plain http; https ends at a proxy in front, which says so in x-forwarded-proto.
      // Browsers ignore HSTS received over http, so a forged header gains nothing.
      {
        source: '/:path*',
        has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https' }],
        headers: [{ key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' }],
      },
    ];
  },
};
export default nextConfig;
