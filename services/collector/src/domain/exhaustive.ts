/** The `default` of a switch over a union: a member without its own case does not compile. */
export function unhandled(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
