// The Gatehouse console: bootstraps from GET /auth/config, logs in through a provider (code + PKCE), and manages
// the profile, workspaces, members, invitations, API keys and the audit trail through the API.
import "./style.css";
import {
  Api, ApiError, describe,
  type ApiKey, type AuditEvent, type AuthConfig, type CreatedApiKey, type Invitation, type Me, type Member,
  type MyInvitation, type Page, type Provider, type Workspace,
} from "./api";
import { callbackPath, forgetProvider, managerFor, rememberProvider, rememberedProvider, silentRenewPath, type User } from "./auth";
import { button, field, form, h, select, table, when } from "./dom";
import type { UserManager } from "oidc-client-ts";

const app = document.getElementById("app")!;
const session = document.getElementById("session")!;
const statusLine = document.getElementById("status")!;
const alertLine = document.getElementById("alert")!;

let config: AuthConfig;
let provider: Provider | null = null;
let manager: UserManager | null = null;
let user: User | null = null;
let api: Api;

function say(message: string) {
  alertLine.hidden = true;
  alertLine.textContent = "";
  statusLine.textContent = message;
}

function complain(message: string) {
  statusLine.textContent = "";
  alertLine.textContent = message;
  alertLine.hidden = false;
}

/** An action's failure: a 401 means the session is gone (log in again); anything else is said in the alert line. */
async function fail(error: unknown) {
  if (error instanceof ApiError && error.status === 401 && config.enabled) {
    await endLocalSession();
    showLogin(describe(error));
    return;
  }
  complain(describe(error));
}

/** Runs an action, says what it did, and reports its failure readably. */
async function act(done: string, action: () => Promise<unknown>) {
  try {
    await action();
    say(done);
  } catch (error) {
    await fail(error);
  }
}

async function apiUrl(): Promise<string> {
  // A deployment (or the browser tests) may serve /config.json next to the console; otherwise the build's default.
  try {
    const response = await fetch("/config.json", { headers: { Accept: "application/json" } });
    if (response.ok && (response.headers.get("Content-Type") ?? "").includes("json")) {
      const value = (await response.json()) as { api_url?: unknown };
      if (typeof value.api_url === "string" && value.api_url) return value.api_url.replace(/\/+$/, "");
    }
  } catch { /* no config file: the default below */ }
  return (import.meta.env.VITE_API_URL as string | undefined)?.replace(/\/+$/, "") || "http://127.0.0.1:5080";
}

async function start() {
  api = new Api(await apiUrl(), () => user?.access_token ?? null);
  try {
    config = await api.get<AuthConfig>("/auth/config");
  } catch (error) {
    app.replaceChildren(h("p", {}, "The console cannot start without the login configuration."));
    complain(describe(error));
    return;
  }

  const path = window.location.pathname;
  // The callback's address (code and state), read before the address bar is cleaned of them.
  const here = window.location.href;
  if (path === silentRenewPath) {
    // Inside the hidden iframe of a silent renewal: hand the answer to the console window.
    const remembered = config.providers.find((p) => p.name === rememberedProvider());
    if (remembered) await managerFor(remembered).signinSilentCallback();
    return;
  }
  if (path === callbackPath) {
    provider = config.providers.find((p) => p.name === rememberedProvider()) ?? null;
    window.history.replaceState({}, "", "/");
    if (!provider) {
      showLogin("The login came back without a login in progress. Log in again.");
      return;
    }
    manager = managerFor(provider);
    try {
      user = await manager.signinRedirectCallback(here);
    } catch (error) {
      showLogin(`The login did not complete: ${describe(error)}`);
      return;
    }
    watchRenewal(manager);
    await showConsole();
    return;
  }
  if (!config.enabled) {
    // System mode (ENABLE_AUTH=false, Development only): no login, every call acts as the first superuser.
    await showConsole();
    return;
  }
  showLogin();
}

function watchRenewal(m: UserManager) {
  m.events.addUserLoaded((renewed) => { user = renewed; });
  m.events.addSilentRenewError((error) => complain(`The session could not be renewed (${error.message}). Log in again when calls are refused.`));
  m.events.addAccessTokenExpired(async () => {
    await endLocalSession();
    showLogin("Your session expired. Log in again.");
  });
}

async function endLocalSession() {
  if (manager) {
    manager.stopSilentRenew();
    await manager.removeUser();
  }
  user = null;
  session.replaceChildren();
}

function showLogin(message?: string) {
  session.replaceChildren();
  const buttons = config.providers.map((p) =>
    button(`Log in with ${label(p.name)}`, async () => {
      rememberProvider(p.name);
      provider = p;
      manager = managerFor(p);
      say(`Going to ${label(p.name)}…`);
      try {
        await manager.signinRedirect();
      } catch (error) {
        complain(`${label(p.name)} cannot be reached: ${describe(error)}`);
      }
    }));
  app.replaceChildren(
    h("section", { "aria-labelledby": "login-title" },
      h("h2", { id: "login-title" }, "You are not logged in"),
      config.providers.length === 0
        ? h("p", {}, "Gatehouse has no identity provider configured.")
        : h("div", { class: "actions" }, ...buttons),
      h("p", { class: "hint" }, "For scripts, curl with a token from your provider still works: see the README.")));
  if (message) complain(message); else say("");
  // Logging in again: the provider used last is the likely choice.
  const last = config.providers.findIndex((p) => p.name === rememberedProvider());
  buttons[Math.max(last, 0)]?.focus();
}

function label(name: string) {
  return name === "auth0" ? "Auth0" : name === "authentik" ? "Authentik" : name;
}

// ---- The console once logged in ---------------------------------------------------------------------------------

const sections = {
  profile: section("profile", "Profile"),
  switcher: section("switcher", "Workspace"),
  workspaces: section("workspaces", "Workspaces"),
  members: section("members", "Members"),
  invitations: section("invitations", "Invitations"),
  myInvitations: section("my-invitations", "Invitations for me"),
  apiKeys: section("api-keys", "API keys"),
  audit: section("audit", "Audit trail"),
};

function section(id: string, title: string) {
  const heading = h("h2", { id: `${id}-title`, tabindex: -1 }, title);
  const body = h("div", { class: "body" });
  const element = h("section", { id, "aria-labelledby": `${id}-title` }, heading, body);
  return { element, heading, body };
}

type Section = ReturnType<typeof section>;

/** Loads one section; a refusal is shown in it (a 401 ends the session instead). */
async function load(s: Section, render: () => Promise<Array<Node | null>>): Promise<void> {
  const hadFocus = s.element.contains(document.activeElement);
  try {
    s.body.replaceChildren(...(await render()).filter((n): n is Node => n !== null));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && config.enabled) {
      await fail(error);
      return;
    }
    s.body.replaceChildren(h("p", { class: "problem" }, describe(error)));
  }
  // The control that had focus was replaced: keep the keyboard user in the same place.
  if (hadFocus && !s.element.contains(document.activeElement)) s.heading.focus();
}

let me: Me;
let workspaces: Workspace[] = [];

async function showConsole() {
  try {
    me = await api.get<Me>("/auth/me");
  } catch (error) {
    await fail(error);
    return;
  }
  api.workspaceId = me.organization_id;
  session.replaceChildren(
    h("span", { class: "who" }, `${me.full_name ?? me.email ?? me.id} · ${label(me.auth_method)}`),
    config.enabled ? button("Log out", logout) : h("span", {}, "system mode"));
  app.replaceChildren(...Object.values(sections).map((s) => s.element));
  say(`Logged in as ${me.email ?? me.full_name ?? me.id}.`);
  await reloadAll();
  sections.profile.heading.focus();
}

async function reloadAll() {
  // The workspace list first: the other sections ask it for the caller's role.
  await loadWorkspaces();
  await Promise.all([loadProfile(), loadWorkspaceSections(), loadMyInvitations()]);
}

function loadWorkspaceSections() {
  return Promise.all([loadMembers(), loadInvitations(), loadApiKeys(), loadAudit()]);
}

function current(): Workspace | undefined {
  return workspaces.find((w) => w.id === api.workspaceId);
}

function isManager() {
  const role = current()?.role;
  return role === "owner" || role === "admin";
}

function loadProfile() {
  return load(sections.profile, async () => {
    me = await api.get<Me>("/auth/me");
    const name = h("input", { name: "full_name", value: me.full_name ?? "", maxlength: 200, required: true, autocomplete: "name" });
    const avatar = h("input", { name: "avatar_url", type: "url", value: me.avatar_url ?? "", placeholder: "https://…", autocomplete: "photo" });
    return [
      h("dl", { class: "profile" },
        h("dt", {}, "Email"), h("dd", { "data-field": "email" }, me.email ?? "—"),
        h("dt", {}, "Name"), h("dd", { "data-field": "full_name" }, me.full_name ?? "—"),
        h("dt", {}, "Logged in with"), h("dd", { "data-field": "auth_method" }, me.auth_method),
        h("dt", {}, "Current workspace"), h("dd", { "data-field": "organization_id" }, me.organization_id),
        h("dt", {}, "Active workspace"), h("dd", { "data-field": "active_workspace_id" }, me.active_workspace_id ?? "—"),
        h("dt", {}, "Permissions"), h("dd", {}, me.permissions.length ? me.permissions.join(", ") : "none")),
      me.avatar_url ? h("img", { class: "avatar", src: me.avatar_url, alt: "Your avatar", referrerpolicy: "no-referrer" }) : null,
      form("Edit profile", async (data) => {
        const avatarUrl = String(data.get("avatar_url") ?? "").trim();
        await act("Profile saved.", async () => {
          await api.patch("/auth/me", { full_name: String(data.get("full_name") ?? ""), avatar_url: avatarUrl || null });
          await loadProfile();
        });
      }, field("Name", name), field("Avatar URL", avatar), h("button", { type: "submit" }, "Save profile")),
    ];
  });
}

function loadWorkspaces() {
  return load(sections.workspaces, async () => {
    workspaces = await api.get<Workspace[]>("/workspaces");
    renderSwitcher();
    const rows = workspaces.map((w) => [
      w.name,
      w.role,
      h("span", { class: "actions" },
        w.id === api.workspaceId ? h("span", {}, "current") : button("Switch", () => switchTo(w.id), { class: "small", "aria-label": `Switch to ${w.name}` }),
        button("Leave", () => leave(w), { class: "small", "aria-label": `Leave ${w.name}` }),
        w.role === "owner" ? button("Delete", () => removeWorkspace(w), { class: "small danger", "aria-label": `Delete ${w.name}` }) : null),
    ]);
    const name = h("input", { name: "name", maxlength: 100, required: true });
    return [
      table(["Name", "Your role", ""], rows, "Workspaces"),
      form("Create workspace", async (data) => {
        const created = String(data.get("name") ?? "");
        await act(`Created workspace ${created}.`, async () => {
          await api.post<Workspace>("/workspaces", { name: created });
          await loadWorkspaces();
        });
      }, field("New workspace name", name), h("button", { type: "submit" }, "Create workspace")),
    ];
  });
}

function renderSwitcher() {
  const s = sections.switcher;
  const choice = select("workspace", workspaces.map((w) => [w.id, `${w.name} (${w.role})`]), api.workspaceId ?? undefined);
  s.body.replaceChildren(
    form("Switch workspace", async (data) => switchTo(String(data.get("workspace"))),
      field("Workspace for every call", choice), h("button", { type: "submit" }, "Switch workspace")),
    h("p", { class: "hint" }, "Calls carry X-Workspace-ID; switching also makes it your active workspace."));
}

async function switchTo(id: string) {
  const target = workspaces.find((w) => w.id === id);
  await act(`Switched to ${target?.name ?? id}.`, async () => {
    await api.post("/auth/set-active-workspace", { workspace_id: id });
    api.workspaceId = id;
    await Promise.all([loadProfile(), loadWorkspaces(), loadWorkspaceSections()]);
  });
}

/** After leaving or deleting the current workspace: the API's fallback (active, else oldest membership) decides. */
async function fallBack() {
  api.workspaceId = null;
  me = await api.get<Me>("/auth/me");
  api.workspaceId = me.organization_id;
  await reloadAll();
}

async function leave(w: Workspace) {
  if (!window.confirm(`Leave ${w.name}?`)) return;
  await act(`You left ${w.name}.`, async () => {
    await api.delete(`/workspaces/${w.id}/members/${me.id}`);
    if (w.id === api.workspaceId) await fallBack(); else await loadWorkspaces();
  });
}

async function removeWorkspace(w: Workspace) {
  if (!window.confirm(`Delete ${w.name} with its members, invitations and API keys?`)) return;
  await act(`Deleted ${w.name}.`, async () => {
    await api.delete(`/workspaces/${w.id}`);
    if (w.id === api.workspaceId) await fallBack(); else await loadWorkspaces();
  });
}

const roles: Array<[string, string]> = [["member", "member"], ["admin", "admin"]];

function loadMembers() {
  return load(sections.members, async () => {
    const id = api.workspaceId!;
    const members = await api.get<Member[]>(`/workspaces/${id}/members`);
    const rows = members.map((m) => {
      const who = m.email ?? m.full_name ?? m.user_id;
      const role = select("role", [["owner", "owner"], ...roles], m.role);
      role.setAttribute("aria-label", `Role of ${who}`);
      return [
        m.email ?? "—",
        m.full_name ?? "—",
        h("span", { class: "actions" }, role,
          button("Change role", () => act(`${who} is now ${role.value}.`, async () => {
            await api.patch(`/workspaces/${id}/members/${m.user_id}`, { role: role.value });
            await loadMembers();
          }), { class: "small", "aria-label": `Change role of ${who}` }),
          m.user_id === me.id ? null : button("Remove", async () => {
            if (!window.confirm(`Remove ${who} from this workspace?`)) return;
            await act(`Removed ${who}.`, async () => {
              await api.delete(`/workspaces/${id}/members/${m.user_id}`);
              await loadMembers();
            });
          }, { class: "small danger", "aria-label": `Remove ${who}` })),
      ];
    });
    return [
      table(["Email", "Name", "Role"], rows, "Members"),
      form("Add member", async (data) => {
        const email = String(data.get("email") ?? "");
        await act(`Added ${email}.`, async () => {
          await api.post(`/workspaces/${id}/members`, { email, role: data.get("role") });
          await loadMembers();
        });
      }, field("Member's email", h("input", { name: "email", type: "email", required: true })),
        field("Role", select("role", roles)), h("button", { type: "submit" }, "Add member")),
    ];
  });
}

function loadInvitations() {
  return load(sections.invitations, async () => {
    const id = api.workspaceId!;
    const nodes: Node[] = [];
    // Only owners and admins see and send invitations: a member gets the form alone to avoid a needless 403.
    if (isManager()) {
      const pending = await api.get<Invitation[]>(`/workspaces/${id}/invitations`);
      nodes.push(table(["Email", "Role", "Expires", ""], pending.map((i) => [
        i.email, i.role, when(i.expires_at),
        button("Revoke", () => act(`Revoked the invitation for ${i.email}.`, async () => {
          await api.delete(`/workspaces/${id}/invitations/${i.id}`);
          await loadInvitations();
        }), { class: "small danger", "aria-label": `Revoke the invitation for ${i.email}` }),
      ]), "Pending invitations"));
    } else {
      nodes.push(h("p", { class: "hint" }, "Owners and admins of this workspace see its pending invitations."));
    }
    nodes.push(form("Send invitation", async (data) => {
      const email = String(data.get("email") ?? "");
      await act(`Invited ${email}.`, async () => {
        await api.post(`/workspaces/${id}/invitations`, { email, role: data.get("role") });
        await loadInvitations();
      });
    }, field("Invite by email", h("input", { name: "email", type: "email", required: true })),
      field("Role", select("role", roles)), h("button", { type: "submit" }, "Send invitation")));
    return nodes;
  });
}

function loadMyInvitations() {
  return load(sections.myInvitations, async () => {
    const mine = await api.get<MyInvitation[]>("/auth/invitations");
    return [table(["Workspace", "Role", "Invited by", "Expires", ""], mine.map((i) => [
      i.workspace_name, i.role, i.invited_by_name ?? "—", when(i.expires_at),
      h("span", { class: "actions" },
        button("Accept", () => act(`You joined ${i.workspace_name}.`, async () => {
          await api.post(`/auth/invitations/${i.id}/accept`);
          await Promise.all([loadMyInvitations(), loadWorkspaces()]);
        }), { class: "small", "aria-label": `Accept the invitation to ${i.workspace_name}` }),
        button("Decline", () => act(`Declined the invitation to ${i.workspace_name}.`, async () => {
          await api.post(`/auth/invitations/${i.id}/decline`);
          await loadMyInvitations();
        }), { class: "small", "aria-label": `Decline the invitation to ${i.workspace_name}` })),
    ]), "Invitations for me")];
  });
}

/** A secret shown once: readable, selectable, with a copy button; gone when the section reloads. */
function reveal(title: string, key: string): HTMLElement {
  const code = h("code", { id: "revealed-key" }, key);
  return h("div", { class: "reveal", role: "group", "aria-label": title },
    h("p", {}, h("strong", {}, title), " — shown this once; Gatehouse keeps only its hash."),
    code, " ",
    button("Copy key", async () => {
      try {
        await navigator.clipboard.writeText(key);
        say("Key copied to the clipboard.");
      } catch {
        window.getSelection()?.selectAllChildren(code);
        say("The clipboard is not available here: the key is selected, copy it with Ctrl+C.");
      }
    }, { class: "small" }));
}

let revealed: HTMLElement | null = null;

function loadApiKeys() {
  return load(sections.apiKeys, async () => {
    const keys = await api.get<ApiKey[]>("/api-keys");
    const shown = revealed;
    revealed = null;
    const rows = keys.map((k) => [
      k.name, k.prefix + "…", when(k.created_at), when(k.last_used_at), when(k.expires_at),
      h("span", { class: "actions" },
        k.revealable ? button("Reveal", () => act(`Revealed ${k.name}.`, async () => {
          const { key } = await api.post<{ key: string }>(`/api-keys/${k.id}/reveal`);
          revealed = reveal(`Key ${k.name}`, key);
          await loadApiKeys();
        }), { class: "small", "aria-label": `Reveal ${k.name}` }) : null,
        button("Revoke", async () => {
          if (!window.confirm(`Revoke ${k.name}? Whatever uses it is refused from now on.`)) return;
          await act(`Revoked ${k.name}.`, async () => {
            await api.delete(`/api-keys/${k.id}`);
            await loadApiKeys();
          });
        }, { class: "small danger", "aria-label": `Revoke ${k.name}` })),
    ]);
    return [
      shown,
      table(["Name", "Prefix", "Created", "Last used", "Expires", ""], rows, "API keys"),
      form("Create API key", async (data) => {
        const name = String(data.get("name") ?? "");
        const days = String(data.get("expires_in_days") ?? "").trim();
        await act(`Created API key ${name}.`, async () => {
          const created = await api.post<CreatedApiKey>("/api-keys", days ? { name, expires_in_days: Number(days) } : { name });
          revealed = reveal(`New key ${created.name}`, created.key);
          await loadApiKeys();
        });
      }, field("Key name", h("input", { name: "name", maxlength: 100, required: true })),
        field("Expires in days (optional, 1–365)", h("input", { name: "expires_in_days", type: "number", min: 1, max: 365 })),
        h("button", { type: "submit" }, "Create API key")),
    ];
  });
}

function loadAudit(after?: string, rows: AuditEvent[] = []): Promise<void> {
  return load(sections.audit, async () => {
    const id = api.workspaceId!;
    const page = await api.get<Page<AuditEvent>>(`/workspaces/${id}/audit?limit=25${after ? `&after=${encodeURIComponent(after)}` : ""}`);
    const all = [...rows, ...page.items];
    return [
      table(["When", "Action", "By", "Target"], all.map((e) => [
        when(e.occurred_at), e.action,
        [e.actor.method, e.actor.user_id ?? e.actor.api_key_id].filter(Boolean).join(" "),
        e.target ? [e.target.type, e.target.id].filter(Boolean).join(" ") : "—",
      ]), "Audit events"),
      page.next ? button("Load older events", () => loadAudit(page.next!, all)) : null,
    ];
  });
}

async function logout() {
  const name = provider?.name ?? rememberedProvider() ?? "";
  let logoutUrl = "";
  let problem: string | undefined;
  try {
    const query = new URLSearchParams({ provider: name, return_to: window.location.origin + "/" });
    logoutUrl = (await api.get<{ logout_url: string }>(`/auth/logout?${query}`)).logout_url;
  } catch (error) {
    problem = `Logged out here, but not at the provider: ${describe(error)}`;
  }
  await endLocalSession();
  forgetProvider();
  // The provider ends its session and sends the browser back to the console, logged out.
  if (logoutUrl) window.location.assign(logoutUrl);
  else showLogin(problem);
}

void start();
