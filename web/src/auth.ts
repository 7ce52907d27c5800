// Login through the configured providers with oidc-client-ts: authorization code + PKCE, tokens in memory only.
import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import type { Provider } from "./api";

// Which provider the login in progress went to: a name, not a secret, kept across the redirect to the provider.
const providerKey = "gatehouse.provider";

export const callbackPath = "/callback";
export const silentRenewPath = "/silent-renew";

export function managerFor(provider: Provider): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: provider.issuer,
    client_id: provider.client_id,
    redirect_uri: origin + callbackPath,
    silent_redirect_uri: origin + silentRenewPath,
    post_logout_redirect_uri: origin + "/",
    response_type: "code",
    // offline_access: a refresh token, so silent renewal needs no provider session cookie (nor a third-party iframe).
    scope: "openid profile email offline_access",
    // Auth0 issues an access token for the API only when asked for its audience; Authentik's is for the client.
    extraQueryParams: provider.name === "auth0" && provider.audience ? { audience: provider.audience } : {},
    // Tokens live in this page's memory alone: a reload or a new tab logs in again.
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    // The login in progress (state, PKCE verifier) must survive the redirect: this tab's session storage.
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: true,
    loadUserInfo: false,
  });
}

export function rememberProvider(name: string) { sessionStorage.setItem(providerKey, name); }
export function rememberedProvider(): string | null { return sessionStorage.getItem(providerKey); }
export function forgetProvider() { sessionStorage.removeItem(providerKey); }

export type { User };
