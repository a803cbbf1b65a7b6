// A scripted hub for the unit tests: answers by method and path, records every call.
import { Api } from "../src/api.js";

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

export const AGENCY = {
  agency_id: "agy_1",
  name: "Springfield PD",
  kind: "police",
  agency_recipient: "age1x",
  agency_signing_key: "AAAA",
};

export const SESSION = { agency: AGENCY, csrf_token: "csrf-123", expires_at: "2026-12-01T20:00:00Z" };

export class FakeHub {
  readonly calls: Call[] = [];
  readonly routes = new Map<string, Handler>();
  readonly api: Api;

  constructor() {
    this.api = new Api("", async (input, init) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      const call: Call = {
        method: init?.method ?? "GET",
        path: input,
        headers,
        body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
      };
      this.calls.push(call);
      const handler = this.routes.get(`${call.method} ${call.path}`);
      return handler ? handler(call) : json({ error: "not_found", message: "No such thing." }, 404);
    });
    this.on("POST /api/v1/agency/session", () => json(SESSION));
    this.on("GET /api/v1/agency/session", () => json({ error: "no_session", message: "Sign in first." }, 401));
    this.on("DELETE /api/v1/agency/session", () => new Response(null, { status: 204 }));
  }

  on(route: string, handler: Handler): this {
    this.routes.set(route, handler);
    return this;
  }
}

/** Wait until `check` holds (for Lit's async renders and debounced calls). */
export async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
