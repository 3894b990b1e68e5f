import { sageAccountingSource } from "../sage/index.js";
import { sageOneZaSource } from "../sageone-za/index.js";
import { registerCliSource } from "./source-loader.js";

/** Sources the CLI knows by name; `run` without a source runs `sage_accounting`. */
export function registerBuiltinSources(): void {
  registerCliSource(
    "sage_accounting",
    "Sage Business Cloud Accounting v3.1 ([sources.sage_accounting_source])",
    (config, resources) => Promise.resolve(sageAccountingSource(resources ? { resources } : undefined, config)),
  );
  registerCliSource("sage_one_za", "Sage One South Africa API 2.0.0 ([sources.sage_one_za_source])", (config, resources) =>
    Promise.resolve(sageOneZaSource(resources ? { resources } : undefined, config)),
  );
}
