// The peer of benches/run: oidc-provider (a certified OpenID provider, from npm) with one static
// confidential client, introspection on, a refresh token on every code exchange, rotation on every
// refresh. Tokens are obtained the way a client would: the authorization code flow through the
// provider's own development interactions (login, then consent), driven by benches/lib/bench.py.
//
//   PEER_PORT=3000 PEER_CLIENT_SECRET=... node benches/peer/provider.mjs
//
// Storage: a plain in-process Map implementing oidc-provider's adapter interface. The bundled
// MemoryAdapter is an LRU capped at 1000 entries (it would evict live grants under load) and keeps
// every token of a grant in one list it rescans on each write; this adapter has neither limit.
// Nothing is persisted, so the peer does no I/O at all (Assent writes every refresh to its database).
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PEER_PORT || 3000);
const clientSecret = process.env.PEER_CLIENT_SECRET || crypto.randomBytes(24).toString('hex');
const issuer = `http://127.0.0.1:${port}`;

const store = new Map(); // "Model:id" -> { payload, exp (ms) }
const byGrant = new Map(); // grantId -> Set of "Model:id"
const byUid = new Map(); // session uid -> session id
const byUserCode = new Map();

class MapAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    store.set(key, { payload, exp: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (this.model === 'Session' && payload.uid) byUid.set(payload.uid, id);
    if (payload.userCode) byUserCode.set(payload.userCode, id);
    if (payload.grantId) {
      let keys = byGrant.get(payload.grantId);
      if (!keys) byGrant.set(payload.grantId, (keys = new Set()));
      keys.add(key);
    }
  }

  async find(id) {
    const key = this.key(id);
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.exp <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid) {
    const id = byUid.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = byUserCode.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const entry = store.get(this.key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    const keys = byGrant.get(grantId);
    if (!keys) return;
    for (const key of keys) store.delete(key);
    byGrant.delete(grantId);
  }
}

// ID tokens are signed with Ed25519, the algorithm of Assent's delegation tokens.
const signing = crypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });

const configuration = {
  adapter: MapAdapter,
  clients: [
    {
      client_id: 'bench',
      client_secret: clientSecret,
      redirect_uris: ['https://client.example/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'EdDSA',
    },
  ],
  jwks: { keys: [{ ...signing, kid: 'bench-ed25519', alg: 'EdDSA', use: 'sig' }] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  features: {
    devInteractions: { enabled: true },
    introspection: {
      enabled: true,
      // The default policy, stated (so the provider does not warn about it on every call).
      allowedPolicy: async (ctx, client, token) => !(
        client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client.clientId
      ),
    },
  },
  enabledJWA: { idTokenSigningAlgValues: ['EdDSA'] },
  // A refresh token on every code exchange, and a new one on every refresh (rotation with reuse
  // detection), as Assent does.
  issueRefreshToken: async () => true,
  rotateRefreshToken: true,
  pkce: { required: () => false },
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, err) => console.error('server_error', err));
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ${issuer} ready`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
