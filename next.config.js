/** @type {import('next').NextConfig} */
const nextConfig = {
  // chDB is a native addon: it must be required at run time, never bundled.
  serverExternalPackages: ['chdb', '@clickhouse/client', '@opentelemetry/sdk-node'],
  poweredByHeader: false,
  reactStrictMode: true,
};
export default nextConfig;
