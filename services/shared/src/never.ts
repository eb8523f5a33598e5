/**
 * The default of a `switch` over a union of kinds: the compiler refuses it while any kind is
 * unhandled, so a new event or change kind names every place that must deal with it. At run
 * time (data from outside the type system) it throws, naming what came.
 */
export function assertNever(value: never, what = 'kind'): never {
  const kind = (value as { kind?: unknown; type?: unknown } | null)?.kind ?? (value as { type?: unknown } | null)?.type;
  throw new Error(`unhandled ${what}: ${JSON.stringify(kind ?? value)}`);
}
