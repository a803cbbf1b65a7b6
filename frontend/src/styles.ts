// Shared look: Home Assistant's theme variables only (with fallbacks for a bare page),
// 40 px touch targets, visible focus rings, wrapping button rows.
import { css } from "lit";

export const baseStyles = css`
  :host {
    color: var(--primary-text-color, #212121);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, Roboto, "Noto Sans", sans-serif));
    -webkit-font-smoothing: antialiased;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  [hidden] {
    display: none !important;
  }
  .card {
    background: var(--ha-card-background, var(--card-background-color, #fff));
    border-radius: var(--ha-card-border-radius, 12px);
    box-shadow: var(--ha-card-box-shadow, none);
    border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
    color: var(--primary-text-color, #212121);
  }
  .secondary {
    color: var(--secondary-text-color, #727272);
  }
  .btn {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 8px;
    min-height: 40px;
    min-width: 40px;
    padding: 0 16px;
    border-radius: 20px;
    border: 1px solid transparent;
    font: inherit;
    font-size: 14px;
    font-weight: 500;
    line-height: 1.2;
    letter-spacing: 0.01em;
    cursor: pointer;
    background: transparent;
    color: var(--primary-color, #03a9f4);
    text-align: center;
    white-space: normal;
    -webkit-tap-highlight-color: transparent;
  }
  .btn.primary {
    background: var(--primary-color, #03a9f4);
    color: var(--text-primary-color, #fff);
  }
  .btn.outline {
    border-color: var(--outline-color, var(--divider-color, #c4c4c4));
  }
  .btn.danger {
    color: var(--error-color, #db4437);
    border-color: var(--error-color, #db4437);
  }
  .btn.danger.primary {
    background: var(--error-color, #db4437);
    color: var(--text-primary-color, #fff);
  }
  .btn:hover:not(:disabled) {
    filter: brightness(1.08);
    background-image: linear-gradient(rgba(127, 127, 127, 0.08), rgba(127, 127, 127, 0.08));
  }
  .btn:disabled {
    opacity: 0.45;
    cursor: not-allowed;
  }
  .btn:focus-visible,
  a:focus-visible,
  input:focus-visible,
  select:focus-visible,
  summary:focus-visible,
  [role="tab"]:focus-visible {
    outline: 2px solid var(--primary-color, #03a9f4);
    outline-offset: 2px;
  }
  .icon-btn {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 40px;
    height: 40px;
    flex: none;
    border-radius: 50%;
    border: none;
    background: transparent;
    color: inherit;
    cursor: pointer;
    padding: 0;
  }
  .icon-btn:focus-visible {
    outline: 2px solid currentColor;
    outline-offset: 0;
  }
  .icon-btn svg {
    width: 24px;
    height: 24px;
    fill: currentColor;
  }
  .spinner {
    width: 14px;
    height: 14px;
    flex: none;
    border-radius: 50%;
    border: 2px solid currentColor;
    border-right-color: transparent;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation-duration: 2.4s;
    }
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .alert {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 4px 4px 4px 12px;
    border-radius: 8px;
    border-left: 4px solid var(--error-color, #db4437);
    background: color-mix(in srgb, var(--error-color, #db4437) 12%, transparent);
    color: var(--primary-text-color, #212121);
    overflow-wrap: anywhere;
  }
  .alert > span {
    flex: 1;
    padding: 8px 0;
  }
  .notice {
    padding: 10px 12px;
    border-radius: 8px;
    border-left: 4px solid var(--warning-color, #ffa600);
    background: color-mix(in srgb, var(--warning-color, #ffa600) 14%, transparent);
  }
  .notice.ok {
    border-left-color: var(--success-color, #43a047);
    background: color-mix(in srgb, var(--success-color, #43a047) 14%, transparent);
  }
  .notice.bad {
    border-left-color: var(--error-color, #db4437);
    background: color-mix(in srgb, var(--error-color, #db4437) 14%, transparent);
  }
  .chip {
    display: inline-flex;
    align-items: center;
    min-height: 24px;
    padding: 2px 10px;
    border-radius: 12px;
    font-size: 12px;
    font-weight: 500;
    background: color-mix(in srgb, var(--primary-text-color, #212121) 8%, transparent);
    color: var(--primary-text-color, #212121);
    white-space: nowrap;
  }
  .chip.pending {
    background: color-mix(in srgb, var(--warning-color, #ffa600) 22%, transparent);
  }
  .chip.good {
    background: color-mix(in srgb, var(--success-color, #43a047) 22%, transparent);
  }
  .chip.bad {
    background: color-mix(in srgb, var(--error-color, #db4437) 20%, transparent);
  }
  h2,
  h3 {
    margin: 0;
    font-weight: 500;
  }
  a {
    color: var(--primary-color, #03a9f4);
  }
`;
