// A real, certified OpenID Connect provider (panva's oidc-provider, from the npm registry,
// pinned in the Makefile) on loopback, for the sign-in test: the dashboard's `st.login`
// signs in through it exactly as through an organisation's provider.
//
// Usage: node provider.mjs PORT REDIRECT_URI CLIENT_SECRET ACCOUNTS_JSON
// ACCOUNTS_JSON maps a login name to its e-mail address: {"fin": "lead@minfin.nl"}.
// The development interactions (a login form that takes any password, then a consent
// screen) stand in for the organisation's own login page.
// Installed beside axe-core in tests/browser/vendor (not an ancestor folder of this file).
const { default: Provider } = await import(
  new URL("../vendor/node_modules/oidc-provider/lib/index.js", import.meta.url)
);

const [port, redirectUri, clientSecret, accountsJson] = process.argv.slice(2);
const accounts = JSON.parse(accountsJson);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "integriteitsmonitor",
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [redirectUri], // where Streamlit's st.logout returns
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  async findAccount(ctx, id) {
    if (!(id in accounts)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: accounts[id], email_verified: true, name: id };
      },
    };
  },
  // The claims of the requested scopes in the ID token itself, as the usual organisation
  // providers (Entra ID, Keycloak) put them: Streamlit reads the ID token, not userinfo.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: [clientSecret] },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600 },
});
provider.proxy = false;
provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
