// A resource server validating an access token as an RFC 9068 JWT access token with oauth4webapi:
// discovery of the issuer (RFC 8414), then validateJwtAccessToken with the server's own resource
// indicator as the expected audience. Prints one JSON line: {"ok":true,"aud":..,"sub":..,"scope":..}
// or {"ok":false,"error":"<message>"}, and exits 0 either way (the caller judges).
//
// usage: node validate.mjs <issuer> <expected audience> <access token>
import * as oauth from 'oauth4webapi';

const [issuer, audience, token] = process.argv.slice(2);
const insecure = { [oauth.allowInsecureRequests]: true };
try {
  const url = new URL(issuer);
  const as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { ...insecure, algorithm: 'oauth2' }));
  const request = new Request(`${issuer}/resource`, { headers: { authorization: `Bearer ${token}` } });
  const claims = await oauth.validateJwtAccessToken(as, request, audience, insecure);
  console.log(JSON.stringify({ ok: true, aud: claims.aud, sub: claims.sub, scope: claims.scope }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e && e.message) }));
}
