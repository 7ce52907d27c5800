// The Gatehouse HTTP API (/api/v1) as the console uses it: the access token and the workspace go on every call,
// and every refusal becomes an ApiError carrying the problem body's words.

export interface Provider {
  name: string;
  issuer: string;
  client_id: string;
  audience: string;
  authorization_endpoint: string;
  end_session_endpoint: string;
}

export interface AuthConfig {
  enabled: boolean;
  providers: Provider[];
}

export interface Me {
  id: string;
  email: string | null;
  full_name: string | null;
  avatar_url: string | null;
  auth_method: string;
  organization_id: string;
  active_workspace_id: string | null;
  permissions: string[];
  is_active: boolean;
}

export interface Workspace { id: string; name: string; role: string }
export interface Member { user_id: string; email: string | null; full_name: string | null; role: string }
export interface Invitation { id: string; email: string; role: string; workspace_id: string; created_at: string; expires_at: string }
export interface MyInvitation { id: string; workspace_id: string; workspace_name: string; role: string; invited_by_name: string | null; expires_at: string }
export interface ApiKey {
  id: string; name: string; prefix: string; workspace_id: string; created_at: string;
  expires_at: string | null; last_used_at: string | null; revealable: boolean;
}
export interface CreatedApiKey extends ApiKey { key: string }
export interface AuditEvent {
  id: string; occurred_at: string; action: string;
  actor: { user_id: string | null; method: string | null; api_key_id: string | null };
  target: { type: string | null; id: string | null } | null;
  details: unknown;
}
export interface Page<T> { items: T[]; next: string | null }

/** A refused call: the HTTP status and the problem body (RFC 9457) in words a person can read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fieldErrors: Record<string, string[]>,
    readonly retryAfterSeconds: number | null,
  ) {
    super(detail || title || `HTTP ${status}`);
  }
}

export class Api {
  /** The workspace every call runs in (X-Workspace-ID); null until the profile says which one. */
  workspaceId: string | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly token: () => string | null,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (this.workspaceId) headers["X-Workspace-ID"] = this.workspaceId;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "Gatehouse cannot be reached", `No answer from ${this.baseUrl}: is it running, and does CORS_ORIGINS allow ${location.origin}?`, {}, null);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const json = text ? safeParse(text) : undefined;
    if (!response.ok) throw toError(response, json);
    return json as T;
  }

  get<T>(path: string) { return this.call<T>("GET", path); }
  post<T>(path: string, body?: unknown) { return this.call<T>("POST", path, body); }
  patch<T>(path: string, body: unknown) { return this.call<T>("PATCH", path, body); }
  delete(path: string) { return this.call<void>("DELETE", path); }
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}

function toError(response: Response, body: unknown): ApiError {
  const problem = (body && typeof body === "object" ? body : {}) as { title?: unknown; detail?: unknown; errors?: unknown };
  const errors: Record<string, string[]> = {};
  if (problem.errors && typeof problem.errors === "object") {
    for (const [field, messages] of Object.entries(problem.errors as Record<string, unknown>))
      errors[field] = Array.isArray(messages) ? messages.map(String) : [String(messages)];
  }
  // Retry-After is readable across origins only because the API exposes it (CORS); whole seconds.
  const retry = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  return new ApiError(
    response.status,
    typeof problem.title === "string" ? problem.title : response.statusText,
    typeof problem.detail === "string" ? problem.detail : "",
    errors,
    Number.isFinite(retry) ? retry : null,
  );
}

/** One readable sentence for a refusal: what happened and, where there is one, what to do. */
export function describe(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const detail = error.detail || error.title;
  const fields = Object.entries(error.fieldErrors).map(([f, m]) => `${f}: ${m.join(" ")}`).join("; ");
  switch (error.status) {
    case 401: return `Your session is not accepted (${detail}). Log in again.`;
    case 403: return `Not allowed: ${detail}`;
    case 429: return `Too many requests: ${detail}${error.retryAfterSeconds !== null ? ` Try again in ${error.retryAfterSeconds} s.` : ""}`;
    default: return `${error.title || "Error"} (${error.status}): ${detail}${fields ? ` — ${fields}` : ""}`;
  }
}
