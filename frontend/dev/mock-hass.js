// A fake Home Assistant for the dev page, the browser checks and the component tests:
// a connection that serves contract-shaped porchlight/* answers from generated data
// (docs: panel-contract.md), runs the services on that data and pushes subscribe
// events like the backend does. Plain JS so the page needs no build step.

const HOME = { latitude: 52.3702, longitude: 4.8952 };
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

const AGENCIES = [
  ["Springfield Police Department", "police"],
  ["Springfield Fire & Rescue", "fire"],
  ["County Sheriff's Office", "police"],
  ["Shelbyville PD", "police"],
];
const INCIDENTS = [
  ["burglary", "Break-in at a house on the street; we are looking for anyone walking past between these times."],
  ["vehicle_theft", "A grey hatchback was taken from a driveway. Any footage of the road may help."],
  ["hit_and_run", "A cyclist was hit at the crossing; the driver did not stop. We are looking for a dark van."],
  ["package_theft", "Several parcels were taken from porches on this street."],
  ["vandalism", "Cars were scratched along the street overnight."],
  ["missing_person", "An elderly resident left home on foot and has not returned. Any sighting helps."],
];
const DOORBELLS = [
  ["sub-front", "Front door"],
  ["sub-gate", "Side gate"],
  ["sub-garage", "Garage"],
];

/** A small seeded PRNG (mulberry32): the same seed gives the same data. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "+00:00");

function offset(point, eastM, northM) {
  const rad = Math.PI / 180;
  return {
    latitude: point.latitude + northM / 6_371_008.8 / rad,
    longitude: point.longitude + eastM / (6_371_008.8 * Math.cos(point.latitude * rad)) / rad,
  };
}

/**
 * Generated data. `pending` requests with `clipsPerRequest` clips each (a mix of videos
 * and snapshots), `decided` earlier ones (every outcome), `shares`, `ledger` entries.
 */
export function makeData({
  pending = 4,
  clipsPerRequest = 4,
  decided = 6,
  shares = 4,
  ledger = 450,
  queued = true,
  now = Date.now(),
  seed = 7,
  entries = 1,
  media = "mixed",
} = {}) {
  const rnd = random(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const requests = [];
  let clipSeq = 0;
  const makeClips = (requestIndex, windowStart, windowEnd, count) => {
    const clips = [];
    for (let c = 0; c < count; c++) {
      const [doorbell, name] = DOORBELLS[(requestIndex + c) % DOORBELLS.length];
      const start = windowStart + Math.floor(((windowEnd - windowStart - 20_000) * (c + 0.5)) / count);
      const video = media === "video" || (media !== "image" && c % 3 !== 2);
      clipSeq += 1;
      clips.push({
        id: `clip-${requestIndex}-${c}`,
        doorbell,
        doorbell_name: name,
        start: iso(start),
        end: iso(start + (video ? 10_000 : 1_000)),
        kind: video ? "video" : "snapshot",
        content_type: video ? "video/mp4" : "image/jpeg",
        size: video ? 1_800_000 + Math.floor(rnd() * 900_000) : 32_964,
        url: video
          ? `/clips/clip-${clipSeq}.mp4?authSig=mock`
          : `/clips/snapshot.jpg?clip=${clipSeq}&authSig=mock`,
      });
    }
    return clips;
  };
  const makeRequest = (i, status) => {
    const [agency, kind] = AGENCIES[i % AGENCIES.length];
    const [incident, description] = INCIDENTS[i % INCIDENTS.length];
    const radius = [200, 300, 400, 600, 800][i % 5];
    const distance = [120, 60, 350, 900, 250, 2600][i % 6];
    const angle = rnd() * 2 * Math.PI;
    const centre = offset(HOME, -Math.cos(angle) * distance, -Math.sin(angle) * distance);
    const windowEnd = now - (2 + i * 3) * HOUR - Math.floor(rnd() * 50) * MINUTE;
    const windowStart = windowEnd - [2, 1, 3, 4, 0.5][i % 5] * HOUR;
    const created = windowEnd + HOUR;
    const isPending = status === "pending";
    const clipCount = isPending ? clipsPerRequest : status === "shared" ? 2 : 0;
    return {
      id: `req-${String(i + 1).padStart(3, "0")}`,
      agency,
      agency_kind: kind,
      case_number: `2026-${String(4100 + i * 7).padStart(4, "0")}`,
      incident_type: incident,
      description,
      contact: `Officer Ramos, ${agency.split(" ")[0].toLowerCase()}@example.org`,
      window_start: iso(windowStart),
      window_end: iso(windowEnd),
      area: { ...centre, radius_m: radius },
      distance_m: distance + Math.round(rnd() * 10) / 10,
      status,
      decision: status === "shared" ? "share" : status === "declined" ? "decline" : null,
      queued: false,
      share_id: status === "shared" ? `share-${i}` : null,
      policy_violation: status === "out_of_policy" ? "max_window_hours" : null,
      created_at: iso(created),
      updated_at: iso(isPending ? created : created + HOUR),
      expires_at: iso(isPending ? now + (1 + (i % 6)) * DAY + i * HOUR : created + 3 * DAY),
      clips: makeClips(i, windowStart, windowEnd, clipCount),
    };
  };
  for (let i = 0; i < pending; i++) requests.push(makeRequest(i, "pending"));
  if (queued && pending > 0) {
    const q = makeRequest(pending, "pending");
    q.decision = "share";
    q.queued = true;
    requests.push(q);
  }
  const outcomes = ["shared", "declined", "out_of_policy", "withdrawn", "expired", "closed"];
  for (let i = 0; i < decided; i++) requests.push(makeRequest(pending + 1 + i, outcomes[i % outcomes.length]));
  sortRequests(requests);

  const shareList = [];
  const shareStatuses = ["active", "active", "queued", "revoked", "deleted"];
  for (let i = 0; i < shares; i++) {
    const status = shareStatuses[i % shareStatuses.length];
    const [agency] = AGENCIES[i % AGENCIES.length];
    const created = now - (i + 1) * 2 * DAY;
    const clips = [0, 1, 2].slice(0, 1 + (i % 3)).map((c) => ({
      clip_id: `shared-${i}-${c}`,
      camera: DOORBELLS[c % DOORBELLS.length][1],
      start: iso(created - 5 * HOUR + c * 7 * MINUTE),
      end: iso(created - 5 * HOUR + c * 7 * MINUTE + 10_000),
      content_type: c === 2 ? "image/jpeg" : "video/mp4",
      size: c === 2 ? 32_964 : 2_100_000,
      uploaded: status !== "queued",
    }));
    shareList.push({
      share_id: `share-${i}`,
      request_id: `req-old-${i}`,
      agency,
      case_number: `2026-${3900 + i}`,
      status,
      queued: status === "queued",
      retention_days: 30,
      created_at: iso(created),
      expires_at: iso(created + 30 * DAY),
      deleted_at: status === "revoked" || status === "deleted" ? iso(created + DAY) : null,
      clips,
      accesses:
        status === "active" || status === "deleted"
          ? clips.slice(0, 2).map((c, k) => ({ clip_id: c.clip_id, agency, accessed_at: iso(created + (k + 1) * HOUR) }))
          : [],
    });
  }

  const kinds = ["request_received", "decision", "clip_uploaded", "share_accessed", "share_deleted"];
  const ledgerEntries = [];
  for (let seq = 1; seq <= ledger; seq++) {
    const kind = kinds[seq % kinds.length];
    const [agency] = AGENCIES[seq % AGENCIES.length];
    const data =
      kind === "request_received"
        ? { request_id: `req-${seq}`, agency, case_number: `2026-${seq}`, incident_type: pick(INCIDENTS)[0] }
        : kind === "decision"
          ? { request_id: `req-${seq - 1}`, decision: seq % 2 ? "share" : "decline", clip_ids: ["a", "b"], retention_days: 30 }
          : kind === "clip_uploaded"
            ? { share_id: `share-${seq}`, clip_id: `clip-${seq}`, sha256: "9f2c…e1", size: 2_100_000 }
            : kind === "share_accessed"
              ? { share_id: `share-${seq}`, agency, clip_id: `clip-${seq}` }
              : { share_id: `share-${seq}`, reason: "retention_expired" };
    ledgerEntries.push({
      seq,
      ts: iso(now - (ledger - seq) * 37 * MINUTE),
      kind,
      data,
      hash: `h${seq.toString(16).padStart(8, "0")}`,
      prev: `h${(seq - 1).toString(16).padStart(8, "0")}`,
    });
  }
  ledgerEntries.reverse();

  const entryList = Array.from({ length: entries }, (_, i) => ({
    config_entry_id: `entry-${i + 1}`,
    title: i === 0 ? "12 Maple Street" : `Lake cabin ${i}`,
  }));
  return {
    entries: entryList,
    home: HOME,
    retention: { default_days: 14, max_days: 30 },
    requests,
    shares: shareList,
    ledger: ledgerEntries,
    verified: true,
    problem: undefined,
  };
}

function sortRequests(requests) {
  const pend = requests.filter((r) => r.status === "pending").sort((a, b) => a.expires_at.localeCompare(b.expires_at));
  const rest = requests.filter((r) => r.status !== "pending").sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  requests.splice(0, requests.length, ...pend, ...rest);
}

function wsError(code, message) {
  return { code, message, translation_domain: "porchlight" };
}

/**
 * A fake home-assistant-js-websocket Connection over `data`. Records every message in
 * `messages`. `latency` (ms) delays answers; `fail` maps a service to an error message;
 * `queue` makes decisions wait in the "outbox" (queued: true).
 */
export class MockConnection {
  constructor(data, { latency = 0, fail = {}, queue = false } = {}) {
    this.data = data;
    this.latency = latency;
    this.fail = fail;
    this.queue = queue;
    this.messages = [];
    this.subscribers = new Set();
  }

  later(value, ms = this.latency) {
    return new Promise((resolve) => setTimeout(() => resolve(value), ms));
  }

  emit(kind) {
    for (const sub of this.subscribers) sub({ kind });
  }

  /** Like the backend: events after a change, debounced. */
  changed(...kinds) {
    setTimeout(() => kinds.forEach((k) => this.emit(k)), 120);
  }

  async subscribeMessage(callback, message) {
    this.messages.push(message);
    await this.later(null);
    this.subscribers.add(callback);
    return async () => {
      this.subscribers.delete(callback);
      this.messages.push({ type: "unsubscribe_events" });
    };
  }

  async sendMessagePromise(message) {
    this.messages.push(message);
    const d = this.data;
    const entry = message.config_entry_id ?? d.entries[0]?.config_entry_id;
    switch (message.type) {
      case "porchlight/entries":
        return this.later({ entries: d.entries });
      case "porchlight/requests":
        return this.later(structuredClone({ config_entry_id: entry, home: d.home, retention: d.retention, requests: d.requests }));
      case "porchlight/shares":
        return this.later(structuredClone({ config_entry_id: entry, shares: d.shares }));
      case "porchlight/ledger": {
        const limit = message.limit ?? 200;
        const older = message.before_seq === undefined ? d.ledger : d.ledger.filter((e) => e.seq < message.before_seq);
        return this.later(
          structuredClone({
            config_entry_id: entry,
            verified: d.verified,
            ...(d.problem ? { problem: d.problem } : {}),
            count: d.ledger.length,
            head: d.ledger[0]?.hash ?? "",
            entries: older.slice(0, limit),
          }),
        );
      }
      case "call_service":
        return this.service(message.service, message.service_data ?? {});
      default:
        throw wsError("unknown_command", `Unknown command ${message.type}.`);
    }
  }

  async service(service, data) {
    await this.later(null, Math.max(this.latency, 1));
    if (this.fail[service]) throw wsError("service_validation_error", this.fail[service]);
    const d = this.data;
    const request = d.requests.find((r) => r.id === data.request_id);
    const now = iso(Date.now());
    if (service === "share_clips" || service === "share_all" || service === "decline") {
      if (!request) throw wsError("service_validation_error", `No video request ${data.request_id}.`);
      if (request.status !== "pending" || request.decision) {
        throw wsError("service_validation_error", "This request has already been answered.");
      }
      if (service !== "decline" && !request.clips.length) {
        throw wsError("service_validation_error", "No clip recorded at home matches this request's window.");
      }
      const clips = service === "share_clips" ? request.clips.filter((c) => data.clip_ids.includes(c.id)) : request.clips;
      request.decision = service === "decline" ? "decline" : "share";
      request.updated_at = now;
      if (this.queue) {
        request.queued = true;
      } else {
        request.status = service === "decline" ? "declined" : "shared";
        request.clips = service === "decline" ? [] : clips;
      }
      const shareId = `share-new-${d.shares.length}`;
      if (service !== "decline") {
        request.share_id = shareId;
        d.shares.unshift({
          share_id: shareId,
          request_id: request.id,
          agency: request.agency,
          case_number: request.case_number,
          status: this.queue ? "queued" : "active",
          queued: this.queue,
          retention_days: data.retention_days,
          created_at: now,
          expires_at: iso(Date.now() + data.retention_days * DAY),
          deleted_at: null,
          clips: clips.map((c) => ({ clip_id: c.id, camera: c.doorbell_name, start: c.start, end: c.end, content_type: c.content_type, size: c.size, uploaded: !this.queue })),
          accesses: [],
        });
      }
      sortRequests(d.requests);
      this.changed("requests", "shares", "ledger");
      return { context: { id: "ctx" }, response: service === "decline" ? {} : { share_id: shareId, clips: clips.map((c) => c.id) } };
    }
    if (service === "revoke_share") {
      const share = d.shares.find((s) => s.share_id === data.share_id);
      if (!share) throw wsError("service_validation_error", `No share ${data.share_id}.`);
      share.status = this.queue ? "queued" : "revoked";
      share.queued = this.queue;
      share.deleted_at = this.queue ? null : now;
      this.changed("shares", "ledger");
      return { context: { id: "ctx" }, response: {} };
    }
    if (service === "export_ledger") {
      return { context: { id: "ctx" }, response: { entries: [...d.ledger].reverse(), verified: d.verified } };
    }
    throw wsError("service_not_found", `Service porchlight.${service} not found.`);
  }
}

/** A `hass` object as HA hands it to panels (only what the panel reads). */
export function makeHass(connection, { language = "en-GB", timeZone = "Europe/Amsterdam", dark = false } = {}) {
  return {
    connection,
    language,
    locale: { language, time_zone: "server" },
    config: { time_zone: timeZone },
    themes: { darkMode: dark },
  };
}
