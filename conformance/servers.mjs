// Starts two third-party OAuth2 authorization servers on loopback for the
// conformance tests: oidc-provider (a certified OpenID provider, strict about
// client authentication) and oauth2-mock-server (password and refresh grants,
// RFC 7009 revocation). Prints one `NAME=URL` line per server, then `ready`.
//
// With CLOCK_AHEAD_SECONDS set, it starts only oidc-provider, whose clock
// runs that far ahead (on OIDC_AHEAD_PORT): an assertion signed now has
// already expired there, as it would at a server whose clock is wrong.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import { OAuth2Server } from 'oauth2-mock-server';

const OIDC_PORT = Number(process.env.OIDC_PORT ?? 47801);
const MOCK_PORT = Number(process.env.MOCK_PORT ?? 47802);
const AHEAD_PORT = Number(process.env.OIDC_AHEAD_PORT ?? 47803);
const CLOCK_AHEAD_SECONDS = Number(process.env.CLOCK_AHEAD_SECONDS ?? 0);

if (CLOCK_AHEAD_SECONDS > 0) {
  const now = Date.now;
  Date.now = () => now() + CLOCK_AHEAD_SECONDS * 1000;
}

// The public halves of the test keys the private_key_jwt clients sign with.
const publicJwk = (file) => ({
  ...createPublicKey(readFileSync(new URL(`../tests/catalogue/keys/${file}`, import.meta.url))).export({ format: 'jwk' }),
  use: 'sig',
});

// The secrets hold characters that RFC 6749 section 2.3.1 makes special in
// HTTP Basic (they are form-encoded before base64) and in form bodies.
export const CLIENTS = [
  {
    client_id: 'conformance-basic',
    client_secret: 'basic-secret+/=&%:~',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'conformance-post',
    client_secret: 'post-secret+/=&%:~',
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    // RFC 7523 section 2.2 with the client's own keys: any of RS256, ES256
    // and EdDSA, each checked against the registered public key.
    client_id: 'conformance-private-key-jwt',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: ['rsa_public.pem', 'ec_p256_public.pem', 'ed25519_public.pem'].map(publicJwk) },
  },
  {
    // The assertion is an HMAC keyed with the client secret (HS256 needs a
    // secret of at least 32 bytes).
    client_id: 'conformance-client-secret-jwt',
    client_secret: 'client-secret-jwt+/=&%:~-0123456789abcdefghijklmnop',
    token_endpoint_auth_method: 'client_secret_jwt',
    token_endpoint_auth_signing_alg: 'HS256',
  },
];

const port = CLOCK_AHEAD_SECONDS > 0 ? AHEAD_PORT : OIDC_PORT;
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: CLIENTS.map((client) => ({
    ...client,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'api:read',
  })),
  scopes: ['api:read'],
  // The generic specs use one path per endpoint for every server.
  routes: { revocation: '/revoke', introspection: '/introspect' },
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    devInteractions: { enabled: false },
  },
});
provider.on('server_error', (ctx, error) => console.error('oidc-provider server_error', error));
await new Promise((resolve) => provider.listen(port, '127.0.0.1', resolve));
if (CLOCK_AHEAD_SECONDS > 0) {
  console.log(`OIDC_PROVIDER_AHEAD_URL=http://127.0.0.1:${port}`);
  console.log('ready');
} else {
  console.log(`OIDC_PROVIDER_URL=http://127.0.0.1:${port}`);

const mock = new OAuth2Server();
await mock.issuer.keys.generate('RS256');
await mock.start(MOCK_PORT, '127.0.0.1');
console.log(`OAUTH2_MOCK_SERVER_URL=http://127.0.0.1:${MOCK_PORT}`);
console.log('ready');
}
