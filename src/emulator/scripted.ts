/**
 * Deterministic faults: "the next N things matching X". Where the random fault rates (`setFaults`) say "about one
 * in ten", a script says exactly which requests or deliveries are hit, so that a test can assert what a client does
 * with each of them. Used by the Helix platform (scripted 5xx/429), the EventSub core (duplicate deliveries) and the
 * webhook transport (failed attempts).
 */

/** What a scripted fault reports once it has hit `count` times (or the emulator closed first). */
export interface ScriptReport<Hit> {
  /** What each hit was (a request, a message id), in order. */
  readonly hits: readonly Hit[];
  /** `false` when the emulator closed before the fault hit `count` times. */
  readonly complete: boolean;
}

interface Script<Subject, Hit, Fault> {
  remaining: number;
  readonly fault: Fault;
  readonly matches: (subject: Subject) => boolean;
  readonly hits: Hit[];
  readonly resolve: (report: ScriptReport<Hit>) => void;
}

/**
 * A queue of "the next N" faults, applied in the order they were armed: a subject is hit by the first armed fault
 * that matches it. {@link FaultScript.take} is one length check when nothing is armed (it sits on hot paths).
 */
export class FaultScript<Subject, Hit, Fault = true> {
  readonly #armed: Script<Subject, Hit, Fault>[] = [];
  #closed = false;

  /** Whether any fault is armed. */
  get armed(): boolean {
    return this.#armed.length > 0;
  }

  /**
   * Arms `fault` for the next `count` subjects that `matches` accepts; resolves once it has hit `count` times, or
   * at {@link FaultScript.close} with what it hit by then.
   */
  arm(count: number, fault: Fault, matches: (subject: Subject) => boolean): Promise<ScriptReport<Hit>> {
    if (this.#closed) return Promise.resolve({ hits: [], complete: false });
    return new Promise((resolve) => {
      this.#armed.push({ remaining: count, fault, matches, hits: [], resolve });
    });
  }

  /** The fault that hits `subject` (its count taken, `hit(subject)` recorded), or `undefined` when none matches. */
  take(subject: Subject, hit: (subject: Subject) => Hit): Fault | undefined {
    const armed = this.#armed;
    if (armed.length === 0) return undefined;
    for (let i = 0; i < armed.length; i++) {
      const script = armed[i];
      if (!script?.matches(subject)) continue;
      script.hits.push(hit(subject));
      if (--script.remaining === 0) {
        armed.splice(i, 1);
        script.resolve({ hits: script.hits, complete: true });
      }
      return script.fault;
    }
    return undefined;
  }

  /** Disarms everything: pending faults resolve with what they hit (`complete: false`). Idempotent. */
  close(): void {
    this.#closed = true;
    for (const script of this.#armed.splice(0)) script.resolve({ hits: script.hits, complete: false });
  }
}
