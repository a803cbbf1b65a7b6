// Every call the portal makes to the hub. The session is an HttpOnly cookie the page
// never sees; each call that changes something carries the session's CSRF token in
// X-CSRF-Token. A 401 anywhere means the session is gone: the app is told, once per
// call, and shows the sign-in screen with the hub's message.
import type {
  AgencyRequest,
  PortalConfig,
  RequestTerms,
  Session,
  SharesListing,
  Transparency,
} from "./types.js";

export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    readonly rule: string | null = null,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = "HubError";
  }
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

const SESSION_PATH = "/api/v1/agency/session";

/** Turn an error answer into a HubError with the hub's own message. */
async function errorOf(resp: Response): Promise<HubError> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await resp.json();
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: a proxy's page, say
  }
  const text = (key: string): string | null => (typeof body[key] === "string" ? (body[key] as string) : null);
  const retry = Number(resp.headers.get("Retry-After"));
  return new HubError(
    resp.status,
    text("error") ?? `http_${resp.status}`,
    text("message") ?? `The hub answered ${resp.status} ${resp.statusText}.`.replace(/ \./, "."),
    text("field"),
    text("rule"),
    Number.isFinite(retry) && retry > 0 ? retry : null,
  );
}

export class Api {
  private csrf: string | null = null;
  /** Called when a signed-in call answers 401 (expired or signed out elsewhere). */
  onUnauthorized: (error: HubError) => void = () => {};

  constructor(
    private readonly base = "",
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  get signedIn(): boolean {
    return this.csrf !== null;
  }

  /** The raw call: JSON in, Response out; CSRF on everything but GET/HEAD. */
  async call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (method !== "GET" && method !== "HEAD" && this.csrf) headers["X-CSRF-Token"] = this.csrf;
    const init: RequestInit = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return this.fetcher(this.base + path, init);
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const resp = await this.call(method, path, body);
    if (!resp.ok) throw await this.failed(resp, path);
    if (resp.status === 204) return undefined as T;
    return (await resp.json()) as T;
  }

  private async failed(resp: Response, path: string): Promise<HubError> {
    const error = await errorOf(resp);
    if (resp.status === 401 && path !== SESSION_PATH && this.csrf !== null) {
      this.csrf = null;
      this.onUnauthorized(error);
    }
    return error;
  }

  // --- session -------------------------------------------------------------

  /** Exchange the API key for the session cookie. The key is not kept. */
  async signIn(apiKey: string): Promise<Session> {
    const session = await this.json<Session>("POST", SESSION_PATH, { api_key: apiKey });
    this.csrf = session.csrf_token;
    return session;
  }

  /** The session the cookie holds, or null when there is none (401). */
  async resume(): Promise<Session | null> {
    try {
      const session = await this.json<Session>("GET", SESSION_PATH);
      this.csrf = session.csrf_token;
      return session;
    } catch (err) {
      if (err instanceof HubError && err.status === 401) return null;
      throw err;
    }
  }

  async signOut(): Promise<void> {
    try {
      await this.json<void>("DELETE", SESSION_PATH);
    } finally {
      this.csrf = null;
    }
  }

  // --- the agency's calls ----------------------------------------------------

  portal(): Promise<PortalConfig> {
    return this.json("GET", "/api/v1/agency/portal");
  }

  /** The §2.3 rules on unsigned terms: null when they pass, else the hub's refusal. */
  async check(terms: Partial<RequestTerms>): Promise<HubError | null> {
    try {
      await this.json("POST", "/api/v1/agency/requests/check", terms);
      return null;
    } catch (err) {
      if (err instanceof HubError && err.status === 422) return err;
      throw err;
    }
  }

  postRequest(signed: RequestTerms & { nonce: string; signature: string }): Promise<AgencyRequest> {
    return this.json("POST", "/api/v1/agency/requests", signed);
  }

  async requests(): Promise<AgencyRequest[]> {
    const body = await this.json<{ requests: AgencyRequest[] }>("GET", "/api/v1/agency/requests");
    return body.requests;
  }

  withdraw(id: string): Promise<AgencyRequest> {
    return this.json("POST", `/api/v1/agency/requests/${encodeURIComponent(id)}/withdraw`);
  }

  close(id: string): Promise<AgencyRequest> {
    return this.json("POST", `/api/v1/agency/requests/${encodeURIComponent(id)}/close`);
  }

  shares(id: string): Promise<SharesListing> {
    return this.json("GET", `/api/v1/agency/requests/${encodeURIComponent(id)}/shares`);
  }

  /** A clip's sealed bytes; a HubError (410 with the reason) when it is gone. */
  async clip(clipId: string): Promise<{ bytes: Uint8Array; announced: string | null }> {
    const path = `/api/v1/agency/clips/${encodeURIComponent(clipId)}`;
    const resp = await this.call("GET", path);
    if (!resp.ok) throw await this.failed(resp, path);
    return {
      bytes: new Uint8Array(await resp.arrayBuffer()),
      announced: resp.headers.get("X-Content-SHA256"),
    };
  }

  transparency(): Promise<Transparency> {
    return this.json("GET", "/api/v1/transparency");
  }
}
