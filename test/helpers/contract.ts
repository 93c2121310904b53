import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// A copy of Diga's contract (shared/reference/diga-openapi-2026-07-03.json) is kept in the
// repository, so a clone anywhere can run the contract tests; HABLA_CONTRACT points elsewhere.
export const CONTRACT_PATH =
  process.env.HABLA_CONTRACT ?? path.resolve(import.meta.dirname, '../fixtures/contract/diga-openapi-2026-07-03.json');

export function loadContract(): any {
  return JSON.parse(fs.readFileSync(CONTRACT_PATH, 'utf8'));
}

/** A validator for one of the contract's component schemas, $refs resolved against the contract. */
export function contractValidator(schemaName: string): (value: unknown) => string[] {
  const contract = loadContract();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: 'contract', components: contract.components });
  const validate = ajv.compile({ $ref: `contract#/components/schemas/${schemaName}` });
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}
