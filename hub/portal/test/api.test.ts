import { describe, expect, it } from "vitest";
import { HubError } from "../src/api.js";
import { FakeHub, json } from "./fake-hub.js";

const REQUEST = { id: "req_1", status: "withdrawn" };

function everyCall(hub: FakeHub) {
  hub
    .on("GET /api/v1/agency/portal", () => json({}))
    .on("GET /api/v1/agency/requests", () => json({ requests: [] }))
    .on("POST /api/v1/agency/requests/check", () => json({ ok: true }))
    .on("POST /api/v1/agency/requests", () => json(REQUEST, 201))
    .on("POST /api/v1/agency/requests/req_1/withdraw", () => json(REQUEST))
    .on("POST /api/v1/agency/requests/req_1/close", () => json(REQUEST))
    .on("GET /api/v1/agency/requests/req_1/shares", () => json({ shares: [] }))
    .on("GET /api/v1/agency/clips/clp_1", () => new Response(new Uint8Array([1, 2]), { headers: { "X-Content-SHA256": "ab" } }))
    .on("GET /api/v1/transparency", () => json({ agencies: [] }));
}

describe("the hub's API from the portal", () => {
  it("sends the CSRF token on every call that is not a GET, and never on a GET", async () => {
    const hub = new FakeHub();
    everyCall(hub);
    await hub.api.signIn("the-key");
    await hub.api.portal();
    await hub.api.requests();
    await hub.api.check({ case_number: "x" });
    await hub.api.postRequest({} as never);
    await hub.api.withdraw("req_1");
    await hub.api.close("req_1");
    await hub.api.shares("req_1");
    await hub.api.clip("clp_1");
    await hub.api.transparency();
    await hub.api.signOut();
    const after = hub.calls.slice(1); // the sign-in itself has no session yet
    const writes = after.filter((c) => c.method !== "GET");
    expect(writes.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /api/v1/agency/requests/check",
      "POST /api/v1/agency/requests",
      "POST /api/v1/agency/requests/req_1/withdraw",
      "POST /api/v1/agency/requests/req_1/close",
      "DELETE /api/v1/agency/session",
    ]);
    for (const call of writes) expect(call.headers["X-CSRF-Token"]).toBe("csrf-123");
    for (const call of after.filter((c) => c.method === "GET")) expect(call.headers["X-CSRF-Token"]).toBeUndefined();
    expect(hub.api.signedIn).toBe(false);
  });

  it("sends the key once, in the sign-in body, and keeps only the CSRF token", async () => {
    const hub = new FakeHub();
    await hub.api.signIn("secret-api-key-123");
    expect(hub.calls[0]!.body).toEqual({ api_key: "secret-api-key-123" });
    expect(JSON.stringify(hub.api)).not.toContain("secret-api-key-123");
    expect(localStorage.length).toBe(0);
    expect(sessionStorage.length).toBe(0);
  });

  it("tells the app once when a signed-in call answers 401, and forgets the token", async () => {
    const hub = new FakeHub();
    hub.on("GET /api/v1/agency/requests", () => json({ error: "session_expired", message: "The session expired." }, 401));
    const told: HubError[] = [];
    hub.api.onUnauthorized = (e) => told.push(e);
    await hub.api.signIn("k");
    await expect(hub.api.requests()).rejects.toMatchObject({ status: 401, code: "session_expired" });
    expect(told.map((e) => e.code)).toEqual(["session_expired"]);
    expect(hub.api.signedIn).toBe(false);
    await expect(hub.api.requests()).rejects.toBeInstanceOf(HubError);
    expect(told).toHaveLength(1);
  });

  it("reads a refused sign-in's reason and Retry-After", async () => {
    const hub = new FakeHub();
    hub.on("POST /api/v1/agency/session", () =>
      json({ error: "rate_limited", message: "Too many sign-ins." }, 429, { "Retry-After": "30" }),
    );
    await expect(hub.api.signIn("k")).rejects.toMatchObject({ status: 429, code: "rate_limited", retryAfter: 30 });
  });

  it("gives a rule refusal back with its field and rule", async () => {
    const hub = new FakeHub();
    hub.on("POST /api/v1/agency/requests/check", () =>
      json({ error: "rule_violation", message: "Rule window_length: too long.", rule: "window_length" }, 422),
    );
    const refusal = await hub.api.check({});
    expect(refusal).toMatchObject({ code: "rule_violation", rule: "window_length", message: "Rule window_length: too long." });
  });

  it("resumes a session from the cookie, or none", async () => {
    const hub = new FakeHub();
    expect(await hub.api.resume()).toBeNull();
    hub.on("GET /api/v1/agency/session", () => json({ agency: {}, csrf_token: "t2", expires_at: "" }));
    expect((await hub.api.resume())?.csrf_token).toBe("t2");
    expect(hub.api.signedIn).toBe(true);
  });

  it("explains a 410 clip with the hub's reason", async () => {
    const hub = new FakeHub();
    hub.on("GET /api/v1/agency/clips/clp_9", () => json({ error: "gone", message: "This clip was deleted: its share was revoked or expired." }, 410));
    await expect(hub.api.clip("clp_9")).rejects.toMatchObject({ status: 410, message: expect.stringContaining("revoked") });
  });
});
