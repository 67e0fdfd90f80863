// Types for the consentkit browser API (static/consentkit.js).

/** The visitor's consent, as the consent endpoint answers it. */
export interface ConsentState {
  /** True once the visitor made a choice (a signed consent cookie exists). */
  given: boolean;
  /** Granted categories; the required ones ("necessary") always come first. */
  categories: string[];
  /** Random id of the recorded choice, for receipts; null before a choice. */
  id: string | null;
  /** Policy version the choice was made under. */
  version: string | null;
  issued_at?: string | null;
  /** "opt-in", "opt-out" or "notice". */
  regime?: string;
  /** The browser sent Global Privacy Control. */
  gpc?: boolean;
  region?: string | null;
}

export interface ConsentKit {
  /** A copy of the current state. */
  getConsent(): ConsentState;
  /** Is this category granted? Required categories always are. */
  allows(category: string): boolean;
  /** Open the second layer (per-category choices). */
  show(): void;
  /** Call `listener` after every change; returns a function that removes it. */
  onChange(listener: (state: ConsentState) => void): () => void;
  /**
   * Record a choice of optional categories (POST to the consent endpoint), switch on what
   * they allow and delete the cookies of withdrawn ones. Rejects when the server could not
   * store it (503) or refused it.
   */
  set(categories: string[]): Promise<ConsentState>;
}

declare global {
  interface Window {
    consentkit: ConsentKit;
  }
  interface DocumentEventMap {
    "consentkit:change": CustomEvent<ConsentState>;
  }
  interface WindowEventMap {
    "consentkit:change": CustomEvent<ConsentState>;
  }
}
