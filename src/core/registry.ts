import { UserError } from './errors.js';
import { closestKey } from './spelling.js';

/**
 * Named pieces of one kind (backends, perturbations, recipes, statistics), registered once each
 * by their own file. Whatever is derived from the set (the study schema, the factor lists) asks
 * here, and listeners rebuild it when a piece is added after start-up.
 */
export class Registry<T extends { name: string }> {
  private readonly byName = new Map<string, T>();
  private readonly listeners = new Set<() => void>();

  /**
   * `kind` names the pieces in messages, e.g. "backend". Names start with a letter unless
   * `digitFirst` (symbol sets such as "1234").
   */
  constructor(
    readonly kind: string,
    private readonly digitFirst = false,
  ) {}

  add(piece: T): T {
    if (!(this.digitFirst ? /^[a-z\d][\w.-]*$/i : /^[a-z][\w.-]*$/i).test(piece.name))
      throw new UserError(`a ${this.kind} name uses letters, digits and _ . - (got ${JSON.stringify(piece.name)})`);
    if (this.byName.has(piece.name)) throw new UserError(`a ${this.kind} named "${piece.name}" is already registered`);
    this.byName.set(piece.name, piece);
    for (const listener of this.listeners) listener();
    return piece;
  }

  get(name: string): T | undefined {
    return this.byName.get(name);
  }

  /** The piece, or a UserError listing the known names. */
  require(name: string, where?: string): T {
    const piece = this.byName.get(name);
    if (!piece) throw new UserError(this.unknownMessage(name), where);
    return piece;
  }

  /** `unknown <kind> "name"`, the known name it most likely misspells, and every known name. */
  unknownMessage(name: string, alsoKnown: readonly string[] = []): string {
    const known = [...this.names(), ...alsoKnown];
    const guess = closestKey(name, known);
    const hint = guess ? `; did you mean "${guess}"? known: ` : '; known: ';
    return `unknown ${this.kind} "${name}"${hint}${known.join(', ')}`;
  }

  /** In registration order (built-ins first, in the order their index file imports them). */
  all(): T[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /**
   * Puts these pieces first, in this order: modules that wait on a top-level await load later
   * than their siblings, so registration order alone would vary with the import graph.
   */
  arrange(first: readonly T[]): void {
    const rest = [...this.byName.values()].filter((p) => !first.includes(p));
    this.byName.clear();
    for (const piece of [...first, ...rest]) this.byName.set(piece.name, piece);
    for (const listener of this.listeners) listener();
  }

  /** Called after every later registration; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
