// Words and states of a request that the panel and the card share.
import type { VideoRequest } from "./api";

/** "burglary" / "hit_and_run" -> "Burglary" / "Hit and run". */
export function humanize(text: string): string {
  const words = text.replace(/[_-]+/g, " ").trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : text;
}

export function statusChipClass(status: string): string {
  if (status === "pending") return "pending";
  if (status === "shared") return "good";
  if (status === "out_of_policy") return "bad";
  return "";
}

/** Can the household still decide here? Not once a decision waits in the outbox. */
export function isActionable(request: VideoRequest): boolean {
  return request.status === "pending" && !request.decision && !request.queued;
}
