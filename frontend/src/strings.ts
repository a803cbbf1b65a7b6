// Every word the panel and card show, in one place so they can be translated later
// (custom panels cannot use Home Assistant's translation pipeline). Numbers and dates
// are formatted by format.ts with Intl, in the user's locale.

export const strings = {
  title: "Porchlight",
  openSidebar: "Open the sidebar",
  loading: "Loading…",
  retry: "Try again",
  dismiss: "Dismiss",
  home: "Home",
  noEntries:
    "No Porchlight home is set up. Add the Porchlight integration under Settings → Devices & services.",
  tabs: { requests: "Requests", shares: "Shares", ledger: "Ledger" },
  tabsLabel: "Porchlight views",
  liveOff: (why: string) => `Live updates are off, so this page may be out of date: ${why}`,

  // Requests
  pendingHeading: "Waiting for your decision",
  earlierHeading: "Earlier requests",
  noPending: "No request is waiting for your decision.",
  noRequests: "No video requests yet. When an agency asks for footage near your home, it appears here.",
  caseNumber: "Case",
  incident: "Incident",
  window: "Window",
  distance: "Distance",
  distanceFromHome: (distance: string) => `${distance} from your home`,
  expiry: "Expiry",
  contact: "Contact",
  clipsHeading: (count: number) =>
    count === 1 ? "1 matching clip" : `${count} matching clips`,
  sharedClipsHeading: (count: number) => `Shared clips (${count})`,
  noClips: "No clip recorded at home matches this window.",
  selectAll: "Select all",
  selectNone: "Select none",
  selectedCount: (selected: number, total: number) => `${selected} of ${total} selected`,
  keepFor: "Keep for (days)",
  keepForHint: (max: number) => `1 to ${max}`,
  retentionInvalid: (max: number) =>
    max === 1 ? "Enter 1: the hub keeps shares for 1 day at most." : `Enter a whole number of days from 1 to ${max}.`,
  shareSelected: "Share selected",
  sharing: "Sharing…",
  shareAll: "Share all",
  decline: "Decline",
  declining: "Declining…",
  queued: "Queued — will be sent when the hub is reachable",
  yourDecision: { share: "You chose to share", decline: "You chose to decline" },
  outcome: "Outcome",
  policyViolation: "Broke the rule",
  status: {
    pending: "Waiting for your decision",
    shared: "Shared",
    declined: "Declined",
    withdrawn: "Withdrawn by the agency",
    expired: "Expired without a decision",
    closed: "Closed",
    out_of_policy: "Refused: outside the sharing rules",
  } as Record<string, string>,
  agencyKinds: {
    police: "Police",
    fire: "Fire service",
    ems: "Emergency medical service",
    municipal: "Municipal",
  } as Record<string, string>,
  clipKinds: { video: "Video", snapshot: "Snapshot" } as Record<string, string>,
  clipLabel: (doorbell: string, time: string) => `${doorbell}, ${time}`,
  mapLabel: (radius: string, where: string) => `Requested area: a circle of ${radius} radius. ${where}`,
  homeInside: (distance: string) => `Your home is inside it, ${distance} from its centre.`,
  homeOutside: (distance: string) => `Your home is outside it, ${distance} from its centre.`,
  homeUnknown: "Your home's position is not known.",
  mapHome: "Home",
  mapHomeFar: (distance: string) => `Home, ${distance}`,

  // Relative times
  expiresIn: (rel: string) => `Expires ${rel}`,
  expired: (rel: string) => `Expired ${rel}`,
  deleted: (rel: string) => `Deleted ${rel}`,
  decidedRel: (rel: string) => `Updated ${rel}`,

  // Durations
  duration: { day: "d", hour: "h", minute: "min", second: "s" },

  // Shares
  noShares: "Nothing shared yet. Shares you make appear here, with every agency access.",
  activeHeading: "Active shares",
  pastHeading: "Ended shares",
  shareStatus: {
    active: "Active",
    deleted: "Deleted by the hub",
    revoked: "Revoked",
    queued: "Queued",
  } as Record<string, string>,
  keptFor: (days: number) => (days === 1 ? "Kept for 1 day" : `Kept for ${days} days`),
  sharedClips: "Shared clips",
  notUploaded: "not uploaded yet",
  accesses: "Agency accesses",
  noAccesses: "No agency has opened these clips yet.",
  accessLine: (time: string, agency: string, clip: string) => `${time} — ${agency} opened ${clip}`,
  revoke: "Revoke",
  revoking: "Revoking…",
  revokeConfirm: "Revoke this share? The agency loses access to these clips.",
  revokeYes: "Yes, revoke",
  revokeNo: "Cancel",

  // Ledger
  ledgerVerified: (count: number) =>
    `The ledger's hash chain verifies: ${count} ${count === 1 ? "entry" : "entries"}, none altered or missing.`,
  ledgerBroken: (problem: string) =>
    `The ledger's hash chain does NOT verify: ${problem}`,
  ledgerBrokenUnknown: "The ledger's hash chain does NOT verify.",
  exportLedger: "Export",
  exporting: "Exporting…",
  exportHint: "Downloads the whole ledger as a JSON file.",
  loadOlder: "Load older",
  loadingOlder: "Loading older…",
  noLedger: "The ledger is empty.",
  rawData: "Raw data",
  ledgerSeq: (seq: number) => `#${seq}`,
  ledgerKinds: {} as Record<string, string>,
  summaryClips: (n: number) => (n === 1 ? "1 clip" : `${n} clips`),
  summaryDays: (n: number) => (n === 1 ? "1 day" : `${n} days`),
  summaryCase: (c: string) => `case ${c}`,

  // Errors
  errorConnectionLost: "The connection to Home Assistant was lost. Try again when it is back.",
  errorUnknown: "Something went wrong.",
  errorWithCode: (code: string) => `Something went wrong (${code}).`,
  loadFailed: (what: string) => `Could not load ${what}.`,

  // Card
  cardTitle: "Video requests",
  cardNoPending: "No video request is waiting.",
  cardClipCount: (n: number) => (n === 1 ? "1 clip" : `${n} clips`),
  chooseClips: "Choose clips",
  badConfig: "Porchlight requests card: the configuration must be an object.",
  badConfigType: "Porchlight requests card: `type` must be custom:porchlight-requests-card.",
  badConfigField: (field: string) => `Porchlight requests card: \`${field}\` must be text.`,
  badConfigUnknown: (field: string) => `Porchlight requests card: unknown option \`${field}\`.`,
  cardName: "Porchlight requests",
  cardDescription: "Video requests waiting for your decision, with Share all and Decline.",
  editorTitle: "Title (optional)",
  editorEntry: "Config entry id (optional, only with several homes)",
} as const;

/** Words for a ledger kind: known kinds from strings, else "share_accessed" -> "Share accessed". */
export function ledgerKindLabel(kind: string): string {
  const known = strings.ledgerKinds[kind];
  if (known) return known;
  const words = kind.replace(/[_.-]+/g, " ").trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : kind;
}

export function agencyKindLabel(kind: string): string {
  return strings.agencyKinds[kind] ?? (kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : "");
}
