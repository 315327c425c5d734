// Starts two third-party OAuth2 authorization servers on loopback for the
// conformance tests: oidc-provider (a certified OpenID provider, strict about
// client authentication) and oauth2-mock-server (password and refresh grants,
// RFC 7009 revocation). Prints one `NAME=URL` line per server, then `ready`.
import Provider from 'oidc-provider';
import { OAuth2Server } from 'oauth2-mock-server';

const OIDC_PORT = Number(process.env.OIDC_PORT ?? 47801);
const MOCK_PORT = Number(process.env.MOCK_PORT ?? 47802);

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
];

const provider = new Provider(`http://127.0.0.1:${OIDC_PORT}`, {
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
await new Promise((resolve) => provider.listen(OIDC_PORT, '127.0.0.1', resolve));
console.log(`OIDC_PROVIDER_URL=http://127.0.0.1:${OIDC_PORT}`);

const mock = new OAuth2Server();
await mock.issuer.keys.generate('RS256');
await mock.start(MOCK_PORT, '127.0.0.1');
console.log(`OAUTH2_MOCK_SERVER_URL=http://127.0.0.1:${MOCK_PORT}`);
console.log('ready');
