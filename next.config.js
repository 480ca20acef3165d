/**
 * Content-Security-Policy: every path the proxy sees gets a per-request nonce policy from it
 * (lib/http/csp.ts, proxy.ts). The paths it does not see (this pattern mirrors its matcher; a unit test
 * keeps them in step) serve no HTML: static chunks, images, favicon/robots and the ingest endpoints,
 * so their policy allows nothing at all.
 */
const UNPROXIED = '/:path(_next/static/.*|_next/image|favicon\\.ico|icon\\.svg|robots\\.txt|api/v1/ingest|v1/traces)';
const lockedCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const securityHeaders = [
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
      { source: UNPROXIED, headers: [{ key: 'Content-Security-Policy', value: lockedCsp }] },
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
