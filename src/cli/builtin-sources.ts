/** Sources the CLI knows by name. The Sage sources register here as they land. */
export function registerBuiltinSources(): void {}
