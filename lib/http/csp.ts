/**
 * Content-Security-Policy for every answer that passes the proxy (pages and the JSON API). Scripts run
 * only with this request's nonce; 'strict-dynamic' extends that trust to the chunks those scripts load,
 * and 'self' is the fallback for browsers without it. Next reads the nonce back from the request's
 * CSP header and puts it on its own inline scripts, which is why pages render per request (app/layout.tsx).
 * Styles stay 'unsafe-inline' (React style attributes, chart libraries); they cannot run code.
 * `next dev` also needs 'unsafe-eval' (React's dev tooling); production never gets it.
 * Paths the proxy does not see (static chunks, ingest) get a fixed policy from next.config.js.
 */
export function contentSecurityPolicy(nonce: string, dev = process.env.NODE_ENV === 'development'): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** 128 random bits, base64: fresh for every request, so an injected script cannot know it. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}
