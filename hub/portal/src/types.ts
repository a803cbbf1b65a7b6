// The hub's answers, as DESIGN.md §2.2/§2.6 and hub/openapi.yaml describe them.
// Counts an agency sees read "<5" below 5 (§2.5).

export type Count = number | string;

export interface Agency {
  agency_id: string;
  name: string;
  kind: string;
  agency_recipient: string;
  agency_signing_key: string;
}

export interface Session {
  agency: Agency;
  csrf_token: string;
  expires_at: string;
}

export interface DensityCell {
  latitude: number;
  longitude: number;
  homes: Count;
}

export interface PortalConfig {
  hub: { hub_id: string; name: string };
  tiles: { url: string; attribution: string } | null;
  policy: Record<string, unknown>;
  incident_types: string[];
  density: { cell_m: number; cells: DensityCell[] };
}

export interface Area {
  latitude: number;
  longitude: number;
  radius_m: number;
}

export interface AgencyRequest extends RequestTerms {
  id: string;
  agency_id: string;
  status: string;
  homes_reached: Count;
  shares: Count;
  created_at: string;
  updated_at: string | null;
  expires_at: string | null;
}

export interface SharedClip {
  id: string;
  camera: string;
  start: string;
  end: string;
  content_type: string;
  inner_content_type: string | null;
  plaintext_sha256: string | null;
  size: number;
  sha256: string;
  available: boolean;
  url: string | null;
}

export interface Share {
  share_id: string;
  neighbour: string;
  status: string;
  shared_at: string | null;
  expires_at: string | null;
  deleted_at: string | null;
  clips: SharedClip[];
}

export interface SharesListing {
  request_id: string;
  shares: Share[];
  count: number;
}

export interface TransparencyAgency {
  agency: string;
  kind: string;
  requests: number;
  declines_by_week: { week: string; declines: Count }[];
  [key: string]: unknown;
}

export interface Transparency {
  agencies: TransparencyAgency[];
  [key: string]: unknown;
}

/** The request's terms as the agency fills them in (and signs them). */
export interface RequestTerms {
  case_number: string;
  incident_type: string;
  description: string;
  contact: string;
  window_start: string;
  window_end: string;
  area: Area;
}
