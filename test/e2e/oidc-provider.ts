import crypto from 'node:crypto';
import type http from 'node:http';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * A real OpenID provider (panva's certified `oidc-provider`; major 8, the newest that supports Node 20,
 * 9 wants 22) on 127.0.0.1 for the SSO browser test.
 * Its dev interactions show a login form where any password works for a known account id; consent is
 * skipped as for an admin-approved first-party app. Role and warehouses ride in the ID token like the
 * app roles of Entra ID or Okta groups do.
 */

export const CLIENT_ID = 'control-tower';
export const CLIENT_SECRET = 'control-tower-secret';

type Claims = { email: string; email_verified: boolean; name: string; role: string | string[]; warehouses?: string[] };
export const ACCOUNTS: Record<string, Claims> = {
  ann: { email: 'Ann.Support@Example.com', email_verified: true, name: 'Ann Support', role: 'support', warehouses: ['DC-ATL', 'DC-DFW'] },
  root: { email: 'root@example.com', email_verified: true, name: 'Root', role: ['offline_access', 'admin'] },
  unverified: { email: 'new.hire@example.com', email_verified: false, name: 'New Hire', role: 'admin' },
};

/**
 * What the token endpoint does to the ID token it just issued, to play a token that is valid in every
 * respect but one: re-signed with the provider's own key with another audience or nonce, or signed
 * by a key the provider never published (under the provider's key id).
 */
/** `nonce: null` drops the claim, as in a token replayed from a sign-in that sent none. */
export type IdTokenTamper = { aud?: string; nonce?: string | null; foreignKey?: boolean } | null;

export interface TestIdp {
  issuer: string;
  /** Requests the provider answered (path and query), for asserting on the authorization request. */
  readonly requests: URL[];
  tamper: IdTokenTamper;
  close(): Promise<void>;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function resign(idToken: string, t: NonNullable<IdTokenTamper>, key: crypto.KeyObject): string {
  const [head, body] = idToken.split('.');
  const header: unknown = JSON.parse(Buffer.from(head!, 'base64url').toString('utf8'));
  const payload = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (t.aud !== undefined) payload.aud = t.aud;
  if (t.nonce === null) delete payload.nonce;
  else if (t.nonce !== undefined) payload.nonce = t.nonce;
  const signingInput = `${b64(header)}.${b64(payload)}`;
  const signer = t.foreignKey ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : key;
  return `${signingInput}.${crypto.sign('sha256', Buffer.from(signingInput), signer).toString('base64url')}`;
}

export async function startOidcProvider(opts: { port: number; redirectUri: string }): Promise<TestIdp> {
  const issuer = `http://127.0.0.1:${opts.port}`;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

  const configuration: Configuration = {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    // Confidential clients too: a code without its PKCE verifier is refused.
    pkce: { methods: ['S256'], required: () => true },
    // Scope claims go into the ID token itself; the tower reads the ID token, not userinfo.
    conformIdTokenClaims: false,
    claims: { openid: ['sub', 'role', 'warehouses'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const claims = ACCOUNTS[id];
      if (!claims) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...claims }) };
    },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session, provider } = ctx.oidc;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session?.grantIdFor(client!.clientId);
      if (grantId) return provider.Grant.find(grantId);
      const grant = new provider.Grant({ clientId: client!.clientId, accountId: session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  const idp: TestIdp = { issuer, requests: [], tamper: null, close: async () => undefined };

  provider.use(async (ctx, next) => {
    idp.requests.push(new URL(ctx.url, issuer));
    await next();
    const body: unknown = ctx.body;
    if (idp.tamper && ctx.path === '/token' && body && typeof body === 'object' && 'id_token' in body && typeof body.id_token === 'string') {
      ctx.body = { ...body, id_token: resign(body.id_token, idp.tamper, privateKey) };
    }
  });

  const server: http.Server = await new Promise((resolve, reject) => {
    const s = provider.listen(opts.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  idp.close = () => new Promise((r) => server.close(() => r()));
  return idp;
}
