// The look of one request: facts beside the map, clip tiles in a grid that wraps,
// and a single column when the request is narrow (container query, not viewport).
import { css } from "lit";

export const requestItemStyles = css`
  :host {
    display: block;
    container-type: inline-size;
    /* Off-screen requests skip style, layout and paint until scrolled to. */
    content-visibility: auto;
    contain-intrinsic-size: auto 720px;
  }
  article {
    padding: 16px;
    display: flex;
    flex-direction: column;
    gap: 12px;
  }
  .title-row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  h3 {
    font-size: 18px;
    overflow-wrap: anywhere;
  }
  h4 {
    margin: 0;
    font-size: 14px;
    font-weight: 500;
  }
  p {
    margin: 0;
  }
  .case {
    margin-top: 4px;
    overflow-wrap: anywhere;
  }
  .body {
    display: flex;
    gap: 16px;
    align-items: flex-start;
  }
  .text {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .map {
    flex: 0 0 140px;
  }
  .facts {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 12px;
    margin: 0;
  }
  .facts > div {
    display: contents;
  }
  dt {
    color: var(--secondary-text-color, #727272);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .description {
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
  .clips-head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 12px;
    margin-bottom: 8px;
  }
  .clips-head .count {
    font-size: 13px;
  }
  .clips-head .btn {
    margin-left: auto;
  }
  .clips {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
    gap: 8px;
  }
  .decided .clips {
    grid-template-columns: repeat(auto-fill, minmax(120px, 1fr));
  }
  .clip {
    display: flex;
    flex-direction: column;
    border: 1px solid var(--divider-color, #e0e0e0);
    border-radius: 8px;
    min-width: 0;
  }
  .pick {
    display: flex;
    align-items: center;
    gap: 8px;
    min-height: 40px;
    padding: 4px 8px 0;
    cursor: pointer;
    font-size: 14px;
    overflow-wrap: anywhere;
  }
  .pick.static {
    cursor: default;
  }
  .pick input {
    width: 20px;
    height: 20px;
    margin: 0;
    flex: none;
    accent-color: var(--primary-color, #03a9f4);
    cursor: pointer;
  }
  .clip-meta {
    font-size: 12px;
    padding: 0 8px 8px;
  }
  .pick.static + .clip-meta,
  .pick input + span {
    min-width: 0;
  }
  .actions {
    display: flex;
    flex-direction: column;
    gap: 8px;
    border-top: 1px solid var(--divider-color, #e0e0e0);
    padding-top: 12px;
  }
  .retention {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  .retention input {
    width: 88px;
    min-height: 40px;
    padding: 0 8px;
    font: inherit;
    color: var(--primary-text-color, #212121);
    background: var(--primary-background-color, #fafafa);
    border: 1px solid var(--divider-color, #c4c4c4);
    border-radius: 8px;
  }
  .retention input[aria-invalid="true"] {
    border-color: var(--error-color, #db4437);
    border-width: 2px;
  }
  .hint {
    font-size: 13px;
  }
  .field-error {
    color: var(--error-color, #db4437);
    font-size: 14px;
  }
  .outcome {
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .violation {
    color: var(--error-color, #db4437);
  }
  @container (max-width: 560px) {
    .body {
      flex-direction: column;
    }
    .map {
      flex: none;
      width: 140px;
    }
    .clips {
      grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
    }
    .buttons .btn {
      flex: 1 1 auto;
    }
  }
`;
