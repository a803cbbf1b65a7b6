// A clip as a thumbnail: a snapshot as a lazy image, a video as a player that loads
// nothing until asked (50 requests x 10 clips must not fetch 500 files).
import { css, html, type TemplateResult } from "lit";

export interface MediaClip {
  url: string;
  content_type: string;
}

/** `playerReady` false: a same-sized placeholder instead of the <video> (see visibility.ts). */
export function renderClipMedia(clip: MediaClip, label: string, playerReady = true): TemplateResult {
  if (clip.content_type.startsWith("video/")) {
    if (!playerReady) return html`<div class="media placeholder" aria-hidden="true"></div>`;
    return html`<video
      class="media"
      controls
      preload="none"
      playsinline
      src=${clip.url}
      aria-label=${label}
    ></video>`;
  }
  return html`<img class="media" loading="lazy" decoding="async" src=${clip.url} alt=${label} />`;
}

export const clipMediaStyles = css`
  .media {
    display: block;
    width: 100%;
    aspect-ratio: 16 / 9;
    object-fit: cover;
    background: #000;
    border-radius: 8px 8px 0 0;
  }
`;
